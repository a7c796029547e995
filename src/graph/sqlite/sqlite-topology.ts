import { notFound } from '../../errors';
import type { ModelIndex } from '../../model/twin-model';
import { applyAssetWrite } from '../asset-merge';
import { dependencyEnds, dependencyLookups } from '../dependency-lookups';
import { neighboursLevelByLevel } from '../neighbours-within';
import type { TopologyStore } from '../ports/topology-store';
import { changeSet, uniqueRelationships, upsertChanges } from '../topology-changes';
import { relationshipKey, TopologyLogger } from '../topology-log';
import type {
  AssetFilter,
  AssetListQuery,
  AssetRef,
  AssetPage,
  AssetRecord,
  AssetSummary,
  AssetWrite,
  DependencyEdge,
  DependencySide,
  Direction,
  NeighbourWalk,
  Properties,
  PropertyFilter,
  RelationshipChange,
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
  Scalar,
  Written,
} from '../types';
import type { SqliteExecutor } from './sqlite-executor';
import { IN_LIST, Where, alignById, listPerId, readPage } from './sqlite-sql';
import { appendTopologyChanges } from './sqlite-topology-history';

/** A row of `assets`; live state (sqlite-live-state.ts) reads and writes its state columns. */
export interface AssetRow {
  id: string;
  kind: string;
  name: string | null;
  properties: string;
  state: string;
  state_observed_at: string;
  status: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

type SortedRow = AssetRow & { sort_value: Scalar | null };

/** What a RelationshipRecord is read from (the timestamps are not part of it). */
const RELATIONSHIP_COLUMNS = 'from_id, type, to_id, properties';

interface RelationshipRow {
  from_id: string;
  type: string;
  to_id: string;
  properties: string;
}

export const toAsset = (row: AssetRow): AssetRecord => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  properties: JSON.parse(row.properties) as Properties,
  state: JSON.parse(row.state) as Record<string, Scalar>,
  stateObservedAt: JSON.parse(row.state_observed_at) as Record<string, string>,
  status: row.status,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toRelationship = (row: RelationshipRow): RelationshipRecord => ({
  from: row.from_id,
  to: row.to_id,
  type: row.type,
  properties: JSON.parse(row.properties) as Properties,
});

/** One asset as stored, or null: what every read-modify-write of an asset starts from. */
export function readAsset(sql: SqliteExecutor, id: string): AssetRecord | null {
  const row = sql.get<AssetRow>('SELECT * FROM assets WHERE id = ?', id);
  return row ? toAsset(row) : null;
}

/** The subset of `ids` that are stored assets (relationship endpoints, simulation results). */
export function existingAssetIds(sql: SqliteExecutor, ids: string[]): Set<string> {
  return new Set(sql.all<{ id: string }>(`SELECT id FROM assets WHERE id ${IN_LIST}`, JSON.stringify(ids)).map((row) => row.id));
}

/** What relationshipChanges reads: a relationship (r) with its endpoints' kinds (f, t). */
const RELATIONSHIP_CHANGE_COLUMNS = 'r.from_id, r.type, r.to_id, r.properties, f.kind AS from_kind, t.kind AS to_kind';
type RelationshipChangeRow = RelationshipRow & { from_kind: string; to_kind: string };

/** SQLite has no booleans: JSON true/false read back as 1/0, so compare with those. */
const sqlValue = (value: Scalar): string | number => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

/** A relationship change as a record: its endpoints' ids without their kinds. */
const recordOf = (c: RelationshipChange): RelationshipRecord => ({ from: c.from.id, type: c.type, to: c.to.id, properties: c.properties });

/** Assets and relationships in the embedded store; every write also appends its topology history. */
export class SqliteTopology implements TopologyStore {
  private readonly log = new TopologyLogger();

  constructor(
    private readonly sql: SqliteExecutor,
    private readonly model: ModelIndex,
    /** Awaited between the levels of one `dependencyNeighboursWithin` (the store's event-loop turns). */
    private readonly betweenLevels?: () => Promise<void>,
  ) {}

  async upsertAssets(writes: AssetWrite[]): Promise<Written<{ assets: AssetRecord[] }>> {
    const now = new Date().toISOString();
    return this.sql.transaction(() => {
      // Each asset as it was before the batch (for the change set), and as it is after each write.
      const stored = new Map<string, AssetRecord>();
      const current = new Map<string, AssetRecord>();
      const assets = writes.map((write) => {
        if (!current.has(write.id)) {
          const found = readAsset(this.sql, write.id);
          if (found) {
            stored.set(write.id, found);
            current.set(write.id, found);
          }
        }
        const before = current.get(write.id) ?? null;
        const after = applyAssetWrite(before, write, now);
        if (after === before) return before;
        this.sql.run(
          `INSERT INTO assets (id, kind, name, properties, status, version, created_at, updated_at)
           VALUES (@id, @kind, @name, @properties, @status, @version, @createdAt, @updatedAt)
           ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
             properties = excluded.properties, version = excluded.version, updated_at = excluded.updated_at`,
          { ...after, properties: JSON.stringify(after.properties) },
        );
        current.set(write.id, after);
        return after;
      });
      const ids = [...new Set(writes.map((w) => w.id))];
      appendTopologyChanges(this.sql, this.log.assetsWritten(ids, stored, current));
      return { assets, changes: upsertChanges(ids, stored, current) };
    }, 'immediate');
  }

  async deleteAssets(ids: string[]): Promise<Written<{ deleted: number }>> {
    return this.sql.transaction(() => {
      const list = JSON.stringify(ids);
      const deleted = this.sql.all<AssetRow>(`SELECT * FROM assets WHERE id ${IN_LIST}`, list).map(toAsset);
      const relationships = this.relationshipChanges(
        `SELECT ${RELATIONSHIP_CHANGE_COLUMNS} FROM relationships r JOIN assets f ON f.id = r.from_id JOIN assets t ON t.id = r.to_id
         WHERE r.from_id ${IN_LIST} OR r.to_id ${IN_LIST}`,
        list,
        list,
      );
      // Scenario results outlive their asset (see sqlite-schema.ts).
      this.sql.run(`UPDATE simulation_results SET asset_deleted = 1 WHERE asset_id ${IN_LIST} AND NOT asset_deleted`, list);
      this.sql.run(`DELETE FROM assets WHERE id ${IN_LIST}`, list);
      appendTopologyChanges(this.sql, this.log.removed(deleted, relationships.map(recordOf)));
      return { deleted: deleted.length, changes: changeSet({ assetsDeleted: deleted.map(({ id, kind }) => ({ id, kind })), relationshipsDeleted: relationships }) };
    }, 'immediate');
  }

  async relate(writes: RelationshipWrite[]): Promise<Written<{ relationships: RelationshipRecord[] }>> {
    const now = new Date().toISOString();
    return this.sql.transaction(() => {
      const kinds = new Map(
        this.sql.all<AssetRef>(`SELECT id, kind FROM assets WHERE id ${IN_LIST}`, JSON.stringify(writes.flatMap((w) => [w.from, w.to]))).map((a) => [a.id, a.kind]),
      );
      writes.forEach((write, index) => {
        for (const end of ['from', 'to'] as const) {
          if (!kinds.has(write[end])) {
            throw notFound(`input[${index}].${end}: asset "${write[end]}" does not exist`, { index, field: end });
          }
        }
      });
      const stored = this.storedRelationships(writes);
      const relationships = writes.map((write) => {
        const properties = write.properties ?? {};
        this.sql.run(
          `INSERT INTO relationships (from_id, type, to_id, properties, created_at, updated_at)
           VALUES (@from, @type, @to, @properties, @now, @now)
           ON CONFLICT (from_id, type, to_id) DO UPDATE SET properties = excluded.properties, updated_at = excluded.updated_at`,
          { from: write.from, to: write.to, type: write.type, properties: JSON.stringify(properties), now },
        );
        return { from: write.from, to: write.to, type: write.type, properties };
      });
      appendTopologyChanges(this.sql, this.log.related(relationships, stored));
      const upserted = relationships.map((r) => ({ type: r.type, from: { id: r.from, kind: kinds.get(r.from)! }, to: { id: r.to, kind: kinds.get(r.to)! }, properties: r.properties }));
      return { relationships, changes: changeSet({ relationshipsUpserted: uniqueRelationships(upserted) }) };
    });
  }

  async unrelate(keys: RelationshipKey[]): Promise<Written<{ removed: number }>> {
    return this.sql.transaction(() => {
      const removed = uniqueRelationships(
        keys.flatMap((k) =>
          this.relationshipChanges(
            `SELECT ${RELATIONSHIP_CHANGE_COLUMNS} FROM relationships r JOIN assets f ON f.id = r.from_id JOIN assets t ON t.id = r.to_id
             WHERE r.from_id = ? AND r.type = ? AND r.to_id = ?`,
            k.from,
            k.type,
            k.to,
          ),
        ),
      );
      for (const r of removed) this.sql.run('DELETE FROM relationships WHERE from_id = ? AND type = ? AND to_id = ?', r.from.id, r.type, r.to.id);
      appendTopologyChanges(this.sql, this.log.removed([], removed.map(recordOf)));
      return { removed: removed.length, changes: changeSet({ relationshipsDeleted: removed }) };
    });
  }

  /** The stored relationships among those `writes` name, by relationshipKey, as they are before the writes. */
  private storedRelationships(writes: RelationshipKey[]): Map<string, RelationshipRecord> {
    const stored = new Map<string, RelationshipRecord>();
    for (const w of writes) {
      const key = relationshipKey(w);
      if (stored.has(key)) continue;
      const row = this.sql.get<RelationshipRow>(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE from_id = ? AND type = ? AND to_id = ?`, w.from, w.type, w.to);
      if (row) stored.set(key, toRelationship(row));
    }
    return stored;
  }

  /** Relationships with their endpoints' kinds (`RELATIONSHIP_CHANGE_COLUMNS` selected), each once. */
  private relationshipChanges(query: string, ...params: unknown[]): RelationshipChange[] {
    return uniqueRelationships(
      this.sql.all<RelationshipChangeRow>(query, ...params).map((row) => ({
        type: row.type,
        from: { id: row.from_id, kind: row.from_kind },
        to: { id: row.to_id, kind: row.to_kind },
        properties: JSON.parse(row.properties) as Properties,
      })),
    );
  }

  async getAssets(ids: string[]): Promise<(AssetRecord | null)[]> {
    return alignById(ids, this.sql.all<AssetRow>(`SELECT * FROM assets WHERE id ${IN_LIST}`, JSON.stringify(ids)), toAsset);
  }

  async getAssetSummaries(ids: string[]): Promise<(AssetSummary | null)[]> {
    return alignById(ids, this.sql.all<AssetSummary>(`SELECT id, kind, name FROM assets WHERE id ${IN_LIST}`, JSON.stringify(ids)), (row) => row);
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    return existingAssetIds(this.sql, ids);
  }

  async listAssets(query: AssetListQuery): Promise<AssetPage> {
    const sort = sortSql(query.sort);
    const where = filterSql(query.filter);
    const { rows, hasNextPage } = readPage(query.limit, (limit) =>
      sort.nullable ? pageWithNulls(this.sql, query, sort, where, limit) : pageOnColumn(this.sql, query, sort.expr, where, limit),
    );
    return { assets: rows.map(toAsset), sortValues: rows.map((row) => row.sort_value), hasNextPage };
  }

  async countAssets(filter: AssetFilter): Promise<number> {
    const where = filterSql(filter);
    return this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM assets ${where.sql}`, ...where.params)!.n;
  }

  async relationshipsOf(ids: string[], direction: Direction, types?: string[], opts: { properties?: boolean } = {}): Promise<Map<string, RelationshipRecord[]>> {
    const result = listPerId<RelationshipRecord>(ids);
    // Without properties the relationship indexes cover the query: no table row is read.
    const columns = (opts.properties ?? true) ? RELATIONSHIP_COLUMNS : `from_id, type, to_id, '{}' AS properties`;
    const typeFilter = types ? `AND type ${IN_LIST}` : '';
    const typeParams = types ? [JSON.stringify(types)] : [];
    const ends: ('from_id' | 'to_id')[] = direction === 'OUT' ? ['from_id'] : direction === 'IN' ? ['to_id'] : ['from_id', 'to_id'];
    for (const end of ends) {
      const rows = this.sql.all<RelationshipRow>(
        `SELECT ${columns} FROM relationships WHERE ${end} ${IN_LIST} ${typeFilter} ORDER BY from_id, type, to_id`,
        JSON.stringify(ids),
        ...typeParams,
      );
      for (const row of rows) {
        // A self-loop matched by both ends is still one relationship.
        if (end === 'to_id' && ends.length === 2 && row.from_id === row.to_id) continue;
        result.get(row[end])!.push(toRelationship(row));
      }
    }
    return result;
  }

  async dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]> {
    return dependencyLookups(this.model, side, types).flatMap((lookup) =>
      this.sql
        .all<RelationshipRow>(
          `SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE ${lookup.idsAt}_id ${IN_LIST} AND type ${IN_LIST}`,
          JSON.stringify(ids),
          JSON.stringify(lookup.types),
        )
        .map((row) => ({ ...dependencyEnds(lookup, row.from_id, row.to_id), relationship: toRelationship(row) })),
    );
  }

  /** Level by level: each level is one indexed read in this process, so one call per level costs nothing. */
  async dependencyNeighboursWithin(ids: string[], side: DependencySide, depth: number, types?: string[]): Promise<NeighbourWalk> {
    return neighboursLevelByLevel((frontier) => this.dependencyNeighbours(frontier, side, types), ids, depth, this.betweenLevels);
  }

  async dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): Promise<[string, string][]> {
    return dependencyLookups(this.model, side, types).flatMap((lookup) => {
      const [near, far] = lookup.idsAt === 'from' ? ['from_id', 'to_id'] : ['to_id', 'from_id'];
      // Only the two id columns, which both relationship indexes cover, so no table row is read;
      // `+type` keeps SQLite on one index range per id instead of one probe per (id, type);
      // the rows, as tuples, are the [near, far] pairs themselves.
      return this.sql.tuples<[string, string]>(
        `SELECT ${near}, ${far} FROM relationships WHERE ${near} ${IN_LIST} AND +type ${IN_LIST}`,
        JSON.stringify(ids),
        JSON.stringify(lookup.types),
      );
    });
  }
}

/** Keyset page on a column that is never null: a plain range the (column, id) index serves. */
function pageOnColumn(sql: SqliteExecutor, query: AssetListQuery, column: string, where: Where, limit: number): SortedRow[] {
  const gt = query.sort.descending ? '<' : '>';
  if (query.after && column === 'id') where.add(`id ${gt} ?`, query.after.id);
  else if (query.after) where.add(`(${column}, id) ${gt} (?, ?)`, sqlValue(query.after.value!), query.after.id);
  const dir = query.sort.descending ? 'DESC' : 'ASC';
  return sql.all<SortedRow>(
    `SELECT *, ${column} AS sort_value FROM assets
      ${where.sql}
      ORDER BY ${column === 'id' ? '' : `${column} ${dir}, `}id ${dir} LIMIT ?`,
    ...where.params,
    limit,
  );
}

/** Keyset page on an expression that may be null: nulls sort last in both directions, ties go by id. */
function pageWithNulls(sql: SqliteExecutor, query: AssetListQuery, sort: SortSql, where: Where, limit: number): SortedRow[] {
  const gt = query.sort.descending ? '<' : '>';
  if (query.after?.value === null) {
    where.add(`(sort_value IS NULL AND id ${gt} ?)`, query.after.id);
  } else if (query.after) {
    const v = sqlValue(query.after.value);
    where.add(`(sort_value IS NULL OR sort_value ${gt} ? OR (sort_value = ? AND id ${gt} ?))`, v, v, query.after.id);
  }
  const dir = query.sort.descending ? 'DESC' : 'ASC';
  return sql.all<SortedRow>(
    `SELECT * FROM (SELECT *, ${sort.expr} AS sort_value FROM assets)
      ${where.sql}
      ORDER BY sort_value IS NULL, sort_value ${dir}, id ${dir} LIMIT ?`,
    ...sort.params,
    ...where.params,
    limit,
  );
}

const JSON_PATH = (key: string) => `$.${key}`;

function filterSql(filter: AssetFilter): Where {
  const where = new Where();
  if (filter.ids) where.add(`id ${IN_LIST}`, JSON.stringify(filter.ids));
  if (filter.kinds) where.add(`kind ${IN_LIST}`, JSON.stringify(filter.kinds));
  // substr comparison, not LIKE, so that % and _ in ids are plain characters.
  if (filter.idPrefix !== undefined) where.add('substr(id, 1, ?) = ?', filter.idPrefix.length, filter.idPrefix);
  if (filter.nameContains !== undefined) where.add('instr(lower(name), lower(?)) > 0', filter.nameContains);
  if (filter.statuses) where.add(`status ${IN_LIST}`, JSON.stringify(filter.statuses));
  for (const f of filter.properties ?? []) propertyCondition(f, where);
  return where;
}

function propertyCondition(f: PropertyFilter, where: Where): void {
  const value = 'json_extract(properties, ?)';
  const path = JSON_PATH(f.key);
  if (f.op === 'exists') {
    where.add(`json_type(properties, ?) IS ${f.value ? 'NOT NULL' : 'NULL'}`, path);
    return;
  }
  if (f.op === 'in') {
    // One uncorrelated `IN (SELECT …)` per type class, which SQLite evaluates once into an index,
    // instead of scanning the list for every row. Classes are kept apart because SQLite reads
    // true as 1, but in Cypher `1 IN [true]` is false.
    const alternatives = TYPE_CLASSES.flatMap(({ jsonTypes, holds }) => {
      const values = (f.value as Scalar[]).filter(holds);
      return values.length === 0 ? [] : [{ sql: `(json_type(properties, ?) IN ${jsonTypes} AND ${value} ${IN_LIST})`, params: [path, path, JSON.stringify(values)] }];
    });
    if (alternatives.length === 0) where.add('0');
    else where.add(`(${alternatives.map((a) => a.sql).join(' OR ')})`, ...alternatives.flatMap((a) => a.params));
    return;
  }
  const operand = f.value as Scalar;
  const sqlOp = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
  // Like Cypher, a number never compares with a string: check the JSON type first.
  const jsonTypes = TYPE_CLASSES.find((c) => c.holds(operand))?.jsonTypes ?? "('text')";
  where.add(`(json_type(properties, ?) IN ${jsonTypes} AND ${value} ${sqlOp} ?)`, path, path, sqlValue(operand));
}

/** The JSON types of each class of values that compare with each other in Cypher. */
const TYPE_CLASSES: { jsonTypes: string; holds: (v: Scalar) => boolean }[] = [
  { jsonTypes: "('integer','real')", holds: (v) => typeof v === 'number' },
  { jsonTypes: "('true','false')", holds: (v) => typeof v === 'boolean' },
  { jsonTypes: "('text')", holds: (v) => typeof v === 'string' },
];

interface SortSql {
  expr: string;
  params: unknown[];
  /** Whether the sort value can be null (then nulls go last, which no plain index order gives). */
  nullable: boolean;
}

/** The expression a page is sorted on, with its parameters. */
function sortSql(sort: AssetListQuery['sort']): SortSql {
  if (sort.field === 'property') return { expr: 'json_extract(properties, ?)', params: [JSON_PATH(sort.property!)], nullable: true };
  const column = { id: 'id', name: 'name', kind: 'kind', updatedAt: 'updated_at' }[sort.field];
  return { expr: column, params: [], nullable: column === 'name' };
}
