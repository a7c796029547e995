import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { notFound } from '../../errors';
import type { ModelIndex } from '../../model/twin-model';
import type { GraphStore } from '../graph-store';
import type {
  AssetFilter,
  AssetListQuery,
  AssetPage,
  AssetRecord,
  AssetSummary,
  AssetWrite,
  DependencyEdge,
  DependencySide,
  Direction,
  Properties,
  PropertyFilter,
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
  RejectedReport,
  Scalar,
  StateApplied,
  StateWrite,
  StoredRejectedReport,
} from '../types';
import { dependencyEnds, dependencyLookups } from '../dependency-lookups';
import { applyAssetWrite, applyStateWrite } from '../asset-merge';
import type { ScenarioRunFilter, ScenarioRunPatch, ScenarioRunRecord, SimulationResultRecord } from '../scenario-types';
import { cacheStatements } from './statement-cache';
import { SCENARIO_SCHEMA, SqliteScenarios } from './sqlite-scenarios';
import { AUDIT_SCHEMA, SqliteAudit } from './sqlite-audit';
import type { AuditEntry, AuditFilter } from '../audit-types';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS assets (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT,
  properties TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT '{}',
  state_observed_at TEXT NOT NULL DEFAULT '{}',
  status TEXT,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assets_kind ON assets (kind, id);
CREATE TABLE IF NOT EXISTS relationships (
  from_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  to_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  properties TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (from_id, type, to_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relationships_to ON relationships (to_id, type);
CREATE TABLE IF NOT EXISTS state_events (
  event_id TEXT PRIMARY KEY,
  seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_events_seen ON state_events (seen_at);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  asset_id TEXT,
  reason TEXT NOT NULL,
  record TEXT NOT NULL
);
`;

/** Columns added after the first release, for stores created before them. */
const ADDED_COLUMNS: [table: string, column: string, definition: string][] = [
  ['assets', 'state_observed_at', "TEXT NOT NULL DEFAULT '{}'"],
];

interface AssetRow {
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

/**
 * Quarantine ids as the port hands them out: the row id zero-padded to a fixed width, so that
 * ids compare in insertion order as strings too ("…0010" > "…0009"), like the Neo4j adapter's.
 */
const QUARANTINE_ID_DIGITS = 16;
const quarantineId = (rowId: number) => String(rowId).padStart(QUARANTINE_ID_DIGITS, '0');

/** `x IN (SELECT value FROM json_each(?))` takes a whole id list as one parameter. */
const IN_LIST = 'IN (SELECT value FROM json_each(?))';

/** SQLite has no booleans: JSON true/false read back as 1/0, so compare with those. */
const sqlValue = (value: Scalar): string | number => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

const toAsset = (row: AssetRow): AssetRecord => ({
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

/** The embedded GraphStore: one SQLite file in WAL mode, queried synchronously in-process. */
export class SqliteGraphStore implements GraphStore {
  readonly backend = 'sqlite';
  private db!: Database.Database;
  private scenarios!: SqliteScenarios;
  private audit!: SqliteAudit;

  constructor(
    /** Path of the database file; its folder is created when missing. */
    private readonly file: string,
    private readonly model: ModelIndex,
  ) {}

  async init(): Promise<void> {
    if (this.db?.open) return; // already initialised: keep the one connection
    mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    // Another process (an import, a second API) may hold the write lock for a moment.
    this.db.pragma('busy_timeout = 5000');
    cacheStatements(this.db);
    this.db.exec(SCHEMA);
    this.db.exec(SCENARIO_SCHEMA);
    this.scenarios = new SqliteScenarios(this.db);
    this.db.exec(AUDIT_SCHEMA);
    this.audit = new SqliteAudit(this.db);
    for (const [table, column, definition] of ADDED_COLUMNS) {
      const columns = this.db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
      if (!columns.some((c) => c.name === column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }

  async upsertAssets(writes: AssetWrite[]): Promise<AssetRecord[]> {
    const select = this.db.prepare<[string], AssetRow>('SELECT * FROM assets WHERE id = ?');
    const save = this.db.prepare(
      `INSERT INTO assets (id, kind, name, properties, status, version, created_at, updated_at)
       VALUES (@id, @kind, @name, @properties, @status, @version, @createdAt, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
         properties = excluded.properties, version = excluded.version, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    return this.db.transaction(() =>
      writes.map((write) => {
        const row = select.get(write.id);
        const before = row ? toAsset(row) : null;
        const after = applyAssetWrite(before, write, now);
        if (after === before) return before;
        save.run({ ...after, properties: JSON.stringify(after.properties) });
        return after;
      }),
    ).immediate();
  }

  async deleteAssets(ids: string[]): Promise<number> {
    return this.db.prepare(`DELETE FROM assets WHERE id ${IN_LIST}`).run(JSON.stringify(ids)).changes;
  }

  async relate(writes: RelationshipWrite[]): Promise<RelationshipRecord[]> {
    const save = this.db.prepare(
      `INSERT INTO relationships (from_id, type, to_id, properties, created_at, updated_at)
       VALUES (@from, @type, @to, @properties, @now, @now)
       ON CONFLICT (from_id, type, to_id) DO UPDATE SET properties = excluded.properties, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const existing = this.existingIdsSync(writes.flatMap((w) => [w.from, w.to]));
      writes.forEach((write, index) => {
        for (const end of ['from', 'to'] as const) {
          if (!existing.has(write[end])) {
            throw notFound(`input[${index}].${end}: asset "${write[end]}" does not exist`, { index, field: end });
          }
        }
      });
      return writes.map((write) => {
        const properties = write.properties ?? {};
        save.run({ from: write.from, to: write.to, type: write.type, properties: JSON.stringify(properties), now });
        return { from: write.from, to: write.to, type: write.type, properties };
      });
    })();
  }

  async unrelate(keys: RelationshipKey[]): Promise<number> {
    const remove = this.db.prepare('DELETE FROM relationships WHERE from_id = ? AND type = ? AND to_id = ?');
    return this.db.transaction(() => keys.reduce((n, k) => n + remove.run(k.from, k.type, k.to).changes, 0))();
  }

  async getAssets(ids: string[]): Promise<(AssetRecord | null)[]> {
    const rows = this.db.prepare<[string], AssetRow>(`SELECT * FROM assets WHERE id ${IN_LIST}`).all(JSON.stringify(ids));
    const byId = new Map(rows.map((row) => [row.id, toAsset(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async getAssetSummaries(ids: string[]): Promise<(AssetSummary | null)[]> {
    const rows = this.db.prepare<[string], AssetSummary>(`SELECT id, kind, name FROM assets WHERE id ${IN_LIST}`).all(JSON.stringify(ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    return this.existingIdsSync(ids);
  }

  private existingIdsSync(ids: string[]): Set<string> {
    const rows = this.db.prepare<[string], { id: string }>(`SELECT id FROM assets WHERE id ${IN_LIST}`).all(JSON.stringify(ids));
    return new Set(rows.map((row) => row.id));
  }

  async listAssets(query: AssetListQuery): Promise<AssetPage> {
    const sort = sortSql(query.sort);
    const where = filterSql(query.filter);
    const rows = sort.nullable ? this.pageWithNulls(query, sort, where) : this.pageOnColumn(query, sort.expr, where);
    const page = rows.slice(0, query.limit);
    return {
      assets: page.map(toAsset),
      sortValues: page.map((row) => row.sort_value),
      hasNextPage: rows.length > query.limit,
    };
  }

  /** Keyset page on a column that is never null: a plain range the (column, id) index serves. */
  private pageOnColumn(query: AssetListQuery, column: string, where: WhereSql): SortedRow[] {
    const conditions = [...where.conditions];
    const params: unknown[] = [...where.params];
    const gt = query.sort.descending ? '<' : '>';
    if (query.after && column === 'id') {
      conditions.push(`id ${gt} ?`);
      params.push(query.after.id);
    } else if (query.after) {
      conditions.push(`(${column}, id) ${gt} (?, ?)`);
      params.push(sqlValue(query.after.value!), query.after.id);
    }
    const dir = query.sort.descending ? 'DESC' : 'ASC';
    const sql = `SELECT *, ${column} AS sort_value FROM assets
      ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY ${column === 'id' ? '' : `${column} ${dir}, `}id ${dir} LIMIT ?`;
    return this.db.prepare<unknown[], SortedRow>(sql).all(...params, query.limit + 1);
  }

  /** Keyset page on an expression that may be null: nulls sort last in both directions, ties go by id. */
  private pageWithNulls(query: AssetListQuery, sort: SortSql, where: WhereSql): SortedRow[] {
    const conditions = [...where.conditions];
    const params: unknown[] = [...sort.params, ...where.params];
    const gt = query.sort.descending ? '<' : '>';
    if (query.after) {
      if (query.after.value === null) {
        conditions.push(`(sort_value IS NULL AND id ${gt} ?)`);
        params.push(query.after.id);
      } else {
        const v = sqlValue(query.after.value);
        conditions.push(`(sort_value IS NULL OR sort_value ${gt} ? OR (sort_value = ? AND id ${gt} ?))`);
        params.push(v, v, query.after.id);
      }
    }
    const dir = query.sort.descending ? 'DESC' : 'ASC';
    const sql = `SELECT * FROM (SELECT *, ${sort.expr} AS sort_value FROM assets)
      ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY sort_value IS NULL, sort_value ${dir}, id ${dir} LIMIT ?`;
    return this.db.prepare<unknown[], SortedRow>(sql).all(...params, query.limit + 1);
  }

  async countAssets(filter: AssetFilter): Promise<number> {
    const where = filterSql(filter);
    const sql = `SELECT count(*) AS n FROM assets ${where.conditions.length ? `WHERE ${where.conditions.join(' AND ')}` : ''}`;
    return this.db.prepare<unknown[], { n: number }>(sql).get(...where.params)!.n;
  }

  async relationshipsOf(ids: string[], direction: Direction, types?: string[]): Promise<Map<string, RelationshipRecord[]>> {
    const result = new Map<string, RelationshipRecord[]>(ids.map((id) => [id, []]));
    const typeFilter = types ? `AND type ${IN_LIST}` : '';
    const typeParams = types ? [JSON.stringify(types)] : [];
    const ends: ('from_id' | 'to_id')[] = direction === 'OUT' ? ['from_id'] : direction === 'IN' ? ['to_id'] : ['from_id', 'to_id'];
    for (const end of ends) {
      const rows = this.db
        .prepare<unknown[], RelationshipRow>(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE ${end} ${IN_LIST} ${typeFilter} ORDER BY from_id, type, to_id`)
        .all(JSON.stringify(ids), ...typeParams);
      for (const row of rows) {
        const list = result.get(row[end])!;
        // A self-loop matched by both ends is still one relationship.
        if (end === 'to_id' && ends.length === 2 && row.from_id === row.to_id) continue;
        list.push(toRelationship(row));
      }
    }
    return result;
  }

  async dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]> {
    return dependencyLookups(this.model, side, types).flatMap((lookup) =>
      this.db
        .prepare<[string, string], RelationshipRow>(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE ${lookup.idsAt}_id ${IN_LIST} AND type ${IN_LIST}`)
        .all(JSON.stringify(ids), JSON.stringify(lookup.types))
        .map((row) => ({ ...dependencyEnds(lookup, row.from_id, row.to_id), relationship: toRelationship(row) })),
    );
  }

  async dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): Promise<[string, string][]> {
    return dependencyLookups(this.model, side, types).flatMap((lookup) => {
      const [near, far] = lookup.idsAt === 'from' ? ['from_id', 'to_id'] : ['to_id', 'from_id'];
      // Only the two id columns, which both relationship indexes cover, so no table row is read;
      // `+type` keeps SQLite on one index range per id instead of one probe per (id, type);
      // raw rows are the [near, far] pairs themselves.
      return this.db
        .prepare<[string, string], [string, string]>(`SELECT ${near}, ${far} FROM relationships WHERE ${near} ${IN_LIST} AND +type ${IN_LIST}`)
        .raw(true)
        .all(JSON.stringify(ids), JSON.stringify(lookup.types));
    });
  }

  async applyState(reports: StateWrite[], opts: { eventRetentionMs: number }): Promise<StateApplied[]> {
    const db = this.db;
    // One clock reading for the write time and the retention horizon, so that an event recorded
    // in this batch is always within the horizon this batch checks against.
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const selectAsset = db.prepare<[string], AssetRow>('SELECT * FROM assets WHERE id = ?');
    const seenEvent = db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM state_events WHERE event_id = ? AND seen_at >= ?');
    const recordEvent = db.prepare('INSERT OR REPLACE INTO state_events (event_id, seen_at) VALUES (?, ?)');
    const saveState = db.prepare(
      `UPDATE assets SET state = @state, state_observed_at = @stateObservedAt, status = @status,
         version = @version, updated_at = @updatedAt WHERE id = @id`,
    );
    const horizon = new Date(nowMs - opts.eventRetentionMs).toISOString();
    // IMMEDIATE: take the write lock before reading, so concurrent writers cannot interleave.
    return db.transaction(() => {
      db.prepare('DELETE FROM state_events WHERE seen_at < ?').run(horizon);
      const current = new Map<string, AssetRecord>();
      // Event ids recorded by this batch: a repeat within the batch is a duplicate whatever the retention.
      const batchEvents = new Set<string>();
      const outcomes = reports.map((report): StateApplied => {
        if (report.eventId !== undefined && (batchEvents.has(report.eventId) || seenEvent.get(report.eventId, horizon))) {
          return { outcome: 'DUPLICATE', reason: `event ${report.eventId} was already received` };
        }
        let before = current.get(report.assetId);
        if (!before) {
          const row = selectAsset.get(report.assetId);
          if (!row) return { outcome: 'REJECTED', reason: `unknown asset "${report.assetId}"` };
          before = toAsset(row);
        }
        if (report.eventId !== undefined) {
          batchEvents.add(report.eventId);
          recordEvent.run(report.eventId, now);
        }
        const applied = applyStateWrite(before, report, now);
        if (!applied) return { outcome: 'STALE', reason: 'every metric already has a newer or equal observation' };
        current.set(report.assetId, applied.asset);
        return { outcome: 'ACCEPTED', changed: applied.changed, asset: applied.asset };
      });
      for (const asset of current.values()) {
        saveState.run({
          id: asset.id,
          state: JSON.stringify(asset.state),
          stateObservedAt: JSON.stringify(asset.stateObservedAt),
          status: asset.status,
          version: asset.version,
          updatedAt: asset.updatedAt,
        });
      }
      return outcomes;
    }).immediate();
  }

  async quarantine(reports: RejectedReport[], keep: number): Promise<void> {
    const insert = this.db.prepare('INSERT INTO quarantine (received_at, asset_id, reason, record) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of reports) insert.run(r.receivedAt, r.assetId, r.reason, JSON.stringify(r.record ?? null));
      // Exact whatever gaps the ids have: everything older than the `keep`-th newest goes.
      this.db
        .prepare('DELETE FROM quarantine WHERE id <= (SELECT id FROM quarantine ORDER BY id DESC LIMIT 1 OFFSET ?)')
        .run(Math.max(0, Math.floor(keep)));
    })();
  }

  async listQuarantine(limit: number, after?: string): Promise<{ reports: StoredRejectedReport[]; hasNextPage: boolean }> {
    // A cursor that is not one of our ids (they are all digits) positions nowhere: an empty page.
    if (after !== undefined && !/^\d+$/.test(after)) return { reports: [], hasNextPage: false };
    const position = after === undefined ? null : Number(after);
    const rows = this.db
      .prepare<[number | null, number | null, number], { id: number; received_at: string; asset_id: string | null; reason: string; record: string }>(
        'SELECT * FROM quarantine WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?',
      )
      .all(position, position, limit + 1);
    return {
      reports: rows.slice(0, limit).map((row) => ({
        id: quarantineId(row.id),
        receivedAt: row.received_at,
        assetId: row.asset_id,
        reason: row.reason,
        record: JSON.parse(row.record) as unknown,
      })),
      hasNextPage: rows.length > limit,
    };
  }

  async createRun(run: ScenarioRunRecord) {
    return this.scenarios.createRun(run);
  }

  async getRuns(ids: string[]) {
    return this.scenarios.getRuns(ids);
  }

  async listRuns(filter: ScenarioRunFilter, limit: number, after?: string) {
    return this.scenarios.listRuns(filter, limit, after);
  }

  async updateRun(id: string, patch: ScenarioRunPatch, fromStatuses: string[]) {
    return this.scenarios.updateRun(id, patch, fromStatuses);
  }

  async deleteRun(id: string) {
    this.scenarios.deleteRun(id);
  }

  async writeResults(runId: string, results: SimulationResultRecord[]) {
    return this.scenarios.writeResults(runId, results);
  }

  async listResults(runId: string, limit: number, after?: string) {
    return this.scenarios.listResults(runId, limit, after);
  }

  async resultsForAssets(assetIds: string[], last: number) {
    return this.scenarios.resultsForAssets(assetIds, last);
  }
  async appendAudit(entries: AuditEntry[]) {
    this.audit.append(entries);
  }

  async listAudit(filter: AuditFilter, limit: number, after?: string) {
    return this.audit.list(filter, limit, after);
  }

  async pruneAudit(before: string) {
    return this.audit.prune(before);
  }

}

interface WhereSql {
  conditions: string[];
  params: unknown[];
}

const JSON_PATH = (key: string) => `$.${key}`;

function filterSql(filter: AssetFilter): WhereSql {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.ids) {
    conditions.push(`id ${IN_LIST}`);
    params.push(JSON.stringify(filter.ids));
  }
  if (filter.kinds) {
    conditions.push(`kind ${IN_LIST}`);
    params.push(JSON.stringify(filter.kinds));
  }
  if (filter.idPrefix !== undefined) {
    // substr comparison, not LIKE, so that % and _ in ids are plain characters.
    conditions.push('substr(id, 1, ?) = ?');
    params.push(filter.idPrefix.length, filter.idPrefix);
  }
  if (filter.nameContains !== undefined) {
    conditions.push('instr(lower(name), lower(?)) > 0');
    params.push(filter.nameContains);
  }
  if (filter.statuses) {
    conditions.push(`status ${IN_LIST}`);
    params.push(JSON.stringify(filter.statuses));
  }
  for (const f of filter.properties ?? []) propertyCondition(f, conditions, params);
  return { conditions, params };
}

function propertyCondition(f: PropertyFilter, conditions: string[], params: unknown[]): void {
  const value = 'json_extract(properties, ?)';
  const path = JSON_PATH(f.key);
  if (f.op === 'exists') {
    conditions.push(`json_type(properties, ?) IS ${f.value ? 'NOT NULL' : 'NULL'}`);
    params.push(path);
    return;
  }
  if (f.op === 'in') {
    // Compare type classes too: SQLite reads true as 1, but in Cypher `1 IN [true]` is false.
    conditions.push(
      `EXISTS (SELECT 1 FROM json_each(?) AS item WHERE ${typeClass('item.type')} = ${typeClass('json_type(properties, ?)')} AND item.value = ${value})`,
    );
    params.push(JSON.stringify(f.value), path, path);
    return;
  }
  const operand = f.value as Scalar;
  const sqlOp = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
  // Like Cypher, a number never compares with a string: check the JSON type first.
  const jsonTypes = typeof operand === 'number' ? "('integer','real')" : typeof operand === 'boolean' ? "('true','false')" : "('text')";
  conditions.push(`(json_type(properties, ?) IN ${jsonTypes} AND ${value} ${sqlOp} ?)`);
  params.push(path, path, sqlValue(operand));
}

/**
 * A JSON type name reduced to what compares in Cypher: numbers with numbers, booleans with
 * booleans, text with text; anything else (lists, missing) is NULL and so never matches.
 */
const typeClass = (expr: string) =>
  `(CASE ${expr} WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' WHEN 'text' THEN 'text' END)`;

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
