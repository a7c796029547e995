import type Database from 'better-sqlite3';
import type { AuditEntry, AuditFilter } from '../audit-types';

/** The audit trail in the embedded store. */
export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  operation TEXT NOT NULL,
  ids TEXT NOT NULL,
  id_count INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
`;

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  role: string;
  operation: string;
  ids: string;
  id_count: number;
  outcome: string;
  error: string | null;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  actor: row.actor,
  role: row.role,
  operation: row.operation,
  ids: JSON.parse(row.ids) as string[],
  idCount: row.id_count,
  outcome: row.outcome as AuditEntry['outcome'],
  error: row.error,
});

export class SqliteAudit {
  constructor(private readonly db: Database.Database) {}

  append(entries: AuditEntry[]): void {
    // ON CONFLICT (id) rather than OR IGNORE: only a repeated id is ignored; OR IGNORE would also
    // drop, silently, an entry violating NOT NULL.
    const insert = this.db.prepare(
      `INSERT INTO audit_log (id, at, actor, role, operation, ids, id_count, outcome, error)
       VALUES (@id, @at, @actor, @role, @operation, @ids, @idCount, @outcome, @error)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.db.transaction(() => {
      for (const e of entries) insert.run({ ...e, ids: JSON.stringify(e.ids) });
    })();
  }

  list(filter: AuditFilter, pageSize: number, after?: string): { entries: AuditEntry[]; hasNextPage: boolean } {
    // A whole, non-negative page size: SQLite rejects a fractional LIMIT ("datatype mismatch"),
    // and a negative one would announce a next page with none listed.
    const limit = Math.max(0, Math.floor(pageSize));
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      conditions.push(sql);
      params.push(...values);
    };
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.operation !== undefined) add('operation = ?', filter.operation);
    if (filter.assetId !== undefined) add('EXISTS (SELECT 1 FROM json_each(ids) WHERE value = ?)', filter.assetId);
    if (filter.since !== undefined) add('at >= ?', filter.since);
    if (filter.until !== undefined) add('at < ?', filter.until);
    if (after !== undefined) add('id < ?', after);
    const rows = this.db
      .prepare<unknown[], AuditRow>(`SELECT * FROM audit_log ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params, limit + 1);
    return { entries: rows.slice(0, limit).map(toEntry), hasNextPage: rows.length > limit };
  }

  prune(before: string): number {
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(before).changes;
  }
}
