/** SQL building blocks every part of the embedded store uses. */
import type { SqliteExecutor } from './sqlite-executor';

/** `x IN (SELECT value FROM json_each(?))` takes a whole list as one parameter: pass `JSON.stringify(list)`. */
export const IN_LIST = 'IN (SELECT value FROM json_each(?))';

/** AND-ed conditions and their parameters, in order. */
export class Where {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  add(condition: string, ...params: unknown[]): this {
    this.conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  /** `WHERE …`, or nothing without conditions. */
  get sql(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/**
 * One keyset page: reads one row more than the page holds, so whether it came back says if there
 * is a next page. The size is made whole and non-negative first: SQLite rejects a fractional
 * LIMIT ("datatype mismatch") and reads a negative one as no limit at all.
 */
export function readPage<Row>(pageSize: number, read: (limit: number) => Row[]): { rows: Row[]; hasNextPage: boolean } {
  const size = Math.max(0, Math.floor(pageSize));
  const rows = read(size + 1);
  return { rows: rows.slice(0, size), hasNextPage: rows.length > size };
}

/** Records aligned with `ids` (null where no row has that id), as the batch getters return them. */
export function alignById<Row extends { id: string }, T>(ids: string[], rows: Row[], toRecord: (row: Row) => T): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** One (initially empty) list per id, in the order of `ids`: the shape of per-asset batch reads. */
export function listPerId<T>(ids: string[]): Map<string, T[]> {
  return new Map(ids.map((id) => [id, []]));
}

/** Retention: delete the rows of `table` whose ISO timestamp `column` is before `before`; returns how many. */
export function deleteBefore(sql: SqliteExecutor, table: string, column: string, before: string): number {
  return sql.run(`DELETE FROM ${table} WHERE ${column} < ?`, before);
}
