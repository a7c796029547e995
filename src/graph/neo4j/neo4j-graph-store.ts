import { int, type Integer } from 'neo4j-driver';
import { badInput, DomainError, notFound } from '../../errors';
import { RELATIONSHIP_TYPE_NAME, type ModelIndex } from '../../model/twin-model';
import { RESERVED_PROPERTY_KEYS } from '../../model/validate';
import { applyAssetWrite, applyStateWrite } from '../asset-merge';
import { dependencyEnds, dependencyLookups, type DependencyLookup } from '../dependency-lookups';
import type { AuditEntry, AuditFilter } from '../audit-types';
import type { GraphStore } from '../graph-store';
import type { ScenarioRunFilter, ScenarioRunPatch, ScenarioRunRecord, SimulationResultRecord } from '../scenario-types';
import type {
  AssetFilter,
  AssetListQuery,
  AssetPage,
  AssetRecord,
  AssetSort,
  AssetSummary,
  AssetWrite,
  DependencyEdge,
  DependencySide,
  Direction,
  Properties,
  PropertyFilter,
  PropertyValue,
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
  RejectedReport,
  Scalar,
  StateApplied,
  StateWrite,
  StoredRejectedReport,
} from '../types';
import { CypherExecutor, type CypherRunner, type Neo4jConnection, type Row } from './cypher-executor';
import { CypherQueries, type CypherQuery } from './cypher-files';

/** Schema statements applied, in this order, by `init()`; each is idempotent (IF NOT EXISTS). */
export const NEO4J_SCHEMA_QUERIES = [
  'schema-asset-id-unique',
  'schema-asset-kind-index',
  'schema-asset-name-index',
  'schema-state-event-id-unique',
  'schema-state-event-seen-index',
  'schema-rejected-report-id-unique',
  'schema-scenario-run-id-unique',
  'schema-scenario-run-idempotency-key-unique',
  'schema-scenario-run-submitted-index',
  'schema-simulation-result-key-unique',
  'schema-audit-entry-id-unique',
  'schema-audit-entry-at-index',
] as const;

/** Every query file this adapter runs (`cypher/<name>.cypher`), loaded when it is constructed. */
export const NEO4J_QUERY_NAMES = [
  ...NEO4J_SCHEMA_QUERIES,
  'asset-lock',
  'asset-save',
  'asset-delete',
  'asset-get',
  'asset-summaries',
  'asset-existing-ids',
  'asset-page',
  'asset-count',
  'relationship-merge',
  'relationship-delete',
  'relationships-from',
  'relationships-to',
  'relationship-ends-from',
  'relationship-ends-to',
  'state-lock',
  'state-events-lock',
  'state-events-record',
  'state-events-prune',
  'state-save',
  'quarantine-add',
  'quarantine-trim',
  'quarantine-page',
  'scenario-run-create',
  'scenario-run-create-idempotent',
  'scenario-runs-get',
  'scenario-run-page',
  'scenario-run-update',
  'scenario-run-delete',
  'scenario-run-lock',
  'simulation-results-write',
  'simulation-results-page',
  'simulation-results-count',
  'simulation-results-for-assets',
  'audit-append',
  'audit-page',
  'audit-prune',
] as const;

export type Neo4jQueryName = (typeof NEO4J_QUERY_NAMES)[number];

/** Placeholders of the template queries, filled in by the adapter after validation. */
export const NEO4J_TEMPLATE_PLACEHOLDERS: Partial<Record<Neo4jQueryName, string[]>> = {
  'relationship-merge': ['__TYPE__'],
  'asset-page': ['__DIRECTION__'],
};

/** Properties the store keeps on a node for itself: reserved names and anything starting with `_`. */
const isStoreKey = (key: string) => RESERVED_PROPERTY_KEYS.has(key) || key.startsWith('_');

const iso = () => new Date().toISOString();

/** A property value as written to Neo4j: whole numbers as Integers, so they stay integers there. */
function toNeo4jValue(value: PropertyValue): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? int(value) : value;
  if (Array.isArray(value)) {
    // A Neo4j list property holds one type: whole numbers only if every item is one.
    const allIntegers = value.every((item) => typeof item === 'number' && Number.isSafeInteger(item));
    return allIntegers && value.length > 0 ? value.map((item) => int(item as number)) : value;
  }
  return value;
}

/** A JSON object kept as a string property (`_state`, `_stateObservedAt`); {} when absent or unreadable. */
function parseJsonMap<T>(raw: unknown): Record<string, T> {
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
  } catch {
    return {};
  }
}

/** A node's property map (from `a {.*}`) as an AssetRecord. */
function toAsset(node: Record<string, unknown>): AssetRecord {
  const properties: Properties = {};
  for (const key of Object.keys(node).sort()) {
    if (!isStoreKey(key)) properties[key] = node[key] as PropertyValue;
  }
  return {
    id: node.id as string,
    kind: node.kind as string,
    name: (node.name as string | null | undefined) ?? null,
    properties,
    state: parseJsonMap<Scalar>(node._state),
    stateObservedAt: parseJsonMap<string>(node._stateObservedAt),
    status: typeof node.status === 'string' ? node.status : null,
    version: typeof node.version === 'number' ? node.version : 0,
    createdAt: node.createdAt as string,
    updatedAt: node.updatedAt as string,
  };
}

function relationshipProperties(map: unknown): Properties {
  const properties: Properties = {};
  if (!map || typeof map !== 'object') return properties;
  const source = map as Record<string, unknown>;
  for (const key of Object.keys(source).sort()) {
    if (!key.startsWith('_')) properties[key] = source[key] as PropertyValue;
  }
  return properties;
}

const toRelationship = (row: Row): RelationshipRecord => ({
  from: row.fromId as string,
  to: row.toId as string,
  type: row.relType as string,
  properties: relationshipProperties(row.properties),
});

/**
 * The node properties to write (`SET a += changes`) to turn `before` into `after`: the
 * store's own fields, every user property of `after`, and null for each property `after` dropped.
 */
function nodeChanges(before: AssetRecord | null, after: AssetRecord): Record<string, unknown> {
  const changes: Record<string, unknown> = {
    kind: after.kind,
    name: after.name,
    version: int(after.version),
    createdAt: after.createdAt,
    updatedAt: after.updatedAt,
  };
  // Store keys (status, `_state`, `_stateObservedAt`...) are never user properties: an upsert
  // must not write or clear them.
  for (const [key, value] of Object.entries(after.properties)) {
    if (!isStoreKey(key)) changes[key] = toNeo4jValue(value);
  }
  for (const key of Object.keys(before?.properties ?? {})) {
    if (!(key in after.properties) && !isStoreKey(key)) changes[key] = null;
  }
  return changes;
}

/** The node properties state-save writes for an asset a state batch moved. */
function stateChanges(after: AssetRecord): Record<string, unknown> {
  return {
    _state: JSON.stringify(after.state),
    _stateObservedAt: JSON.stringify(after.stateObservedAt),
    status: after.status,
    version: int(after.version),
    updatedAt: after.updatedAt,
  };
}

/** Most expired state events one state-events-prune call deletes. */
const PRUNE_LIMIT = 10_000;
/** How often (at most) a store prunes expired state events while it keeps up. */
const PRUNE_INTERVAL_MS = 10_000;

/** Width of the zero-padded parts of a quarantine id, so that ids compare as strings in time order. */
const QUARANTINE_MS_DIGITS = 15;
const QUARANTINE_SEQ_DIGITS = 6;

/**
 * Quarantine ids: `<ms since epoch, 15 digits>-<sequence within that ms, 6 digits>-<random>`.
 * Compared as strings they sort by time; within one process strictly in creation order (the
 * clock reading never goes backwards here), across processes unique thanks to the random part.
 */
export class QuarantineIdSource {
  private lastMs = 0;
  private seq = 0;

  next(nowMs: number = Date.now()): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.seq = 0;
    } else if (++this.seq >= 10 ** QUARANTINE_SEQ_DIGITS) {
      this.lastMs += 1;
      this.seq = 0;
    }
    const random = Math.floor(Math.random() * 36 ** 8).toString(36).padStart(8, '0');
    return `${String(this.lastMs).padStart(QUARANTINE_MS_DIGITS, '0')}-${String(this.seq).padStart(QUARANTINE_SEQ_DIGITS, '0')}-${random}`;
  }
}

/** A whole number as a Neo4j Integer (seeds, counters, depths), so it stays an integer there. */
const whole = (n: number | null | undefined): unknown => (typeof n === 'number' && Number.isSafeInteger(n) ? int(n) : (n ?? null));

/** Most simulation results one simulation-results-write statement takes. */
const RESULT_BATCH = 1_000;

/** The node properties of a new ScenarioRun (scenario-run-create): summary and input as JSON strings. */
function runProperties(run: ScenarioRunRecord): Record<string, unknown> {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    progress: run.progress,
    seed: whole(run.seed),
    error: run.error ?? null,
    submittedAt: run.submittedAt,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    summary: run.summary === null || run.summary === undefined ? null : JSON.stringify(run.summary),
    input: JSON.stringify(run.input),
    idempotencyKey: run.idempotencyKey ?? null,
    engineVersion: run.engineVersion ?? null,
    modelVersion: run.modelVersion ?? null,
    inputHash: run.inputHash ?? null,
    attempts: whole(run.attempts),
  };
}

/** Every field a ScenarioRunPatch may set (checked complete by the compiler). */
const RUN_PATCH_FIELDS: Record<keyof ScenarioRunPatch, true> = {
  status: true,
  progress: true,
  error: true,
  startedAt: true,
  finishedAt: true,
  summary: true,
  engineVersion: true,
  modelVersion: true,
  inputHash: true,
  attempts: true,
};

/** The properties scenario-run-update sets: given fields only (undefined = keep), null removes. */
function runChanges(patch: ScenarioRunPatch): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(RUN_PATCH_FIELDS) as (keyof ScenarioRunPatch)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    if (key === 'summary') changes.summary = value === null ? null : JSON.stringify(value);
    else if (key === 'attempts') changes.attempts = whole(value as number | null);
    else changes[key] = value;
  }
  return changes;
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** A JSON string property back to its value; null when absent. */
function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return null;
  return JSON.parse(raw) as unknown;
}

/** A run's map projection (see scenario-runs-get.cypher) as a ScenarioRunRecord. */
function toRun(map: Record<string, unknown>): ScenarioRunRecord {
  return {
    id: map.id as string,
    kind: map.kind as ScenarioRunRecord['kind'],
    status: map.status as ScenarioRunRecord['status'],
    progress: numberOrNull(map.progress) ?? 0,
    seed: numberOrNull(map.seed) ?? 0,
    error: stringOrNull(map.error),
    submittedAt: map.submittedAt as string,
    startedAt: stringOrNull(map.startedAt),
    finishedAt: stringOrNull(map.finishedAt),
    summary: parseJson(map.summary) as ScenarioRunRecord['summary'],
    input: parseJson(map.input) as ScenarioRunRecord['input'],
    idempotencyKey: stringOrNull(map.idempotencyKey),
    engineVersion: stringOrNull(map.engineVersion),
    modelVersion: stringOrNull(map.modelVersion),
    inputHash: stringOrNull(map.inputHash),
    attempts: numberOrNull(map.attempts) ?? 0,
  };
}

/** A result's map projection (see simulation-results-page.cypher) as a SimulationResultRecord. */
function toResult(map: Record<string, unknown>): SimulationResultRecord {
  return {
    runId: map.runId as string,
    assetId: map.assetId as string,
    state: stringOrNull(map.state) as SimulationResultRecord['state'],
    depth: numberOrNull(map.depth),
    cause: stringOrNull(map.cause),
    availability: numberOrNull(map.availability),
    availabilityLow: numberOrNull(map.availabilityLow),
    availabilityHigh: numberOrNull(map.availabilityHigh),
    loadKw: numberOrNull(map.loadKw),
    utilization: numberOrNull(map.utilization),
    overloaded: typeof map.overloaded === 'boolean' ? map.overloaded : null,
  };
}

/** Most audit entries one audit-append statement takes. */
const AUDIT_APPEND_BATCH = 1_000;
/** Most audit entries one audit-prune call deletes (the adapter repeats it until fewer go). */
const AUDIT_PRUNE_BATCH = 10_000;

/** The row audit-append writes for an entry: idCount as an Integer, error null when none. */
const auditRow = (e: AuditEntry): Record<string, unknown> => ({
  id: e.id,
  at: e.at,
  actor: e.actor,
  role: e.role,
  operation: e.operation,
  ids: [...e.ids],
  idCount: whole(e.idCount),
  outcome: e.outcome,
  error: e.error ?? null,
});

/** An entry's map projection (see audit-page.cypher) as an AuditEntry. */
function toAuditEntry(map: Record<string, unknown>): AuditEntry {
  return {
    id: map.id as string,
    at: map.at as string,
    actor: map.actor as string,
    role: map.role as string,
    operation: map.operation as string,
    ids: Array.isArray(map.ids) ? (map.ids as string[]) : [],
    idCount: numberOrNull(map.idCount) ?? 0,
    outcome: map.outcome as AuditEntry['outcome'],
    error: stringOrNull(map.error),
  };
}

/**
 * The unique key of a result node, one per (run, asset). Run ids are generated by the API and
 * never contain `|`, so the key is unambiguous whatever the asset id.
 */
export const simulationResultKey = (runId: string, assetId: string) => `${runId}|${assetId}`;

/** Filter parameters shared by asset-page and asset-count (see the header of asset-count.cypher). */
function filterParams(filter: AssetFilter): Record<string, unknown> {
  return {
    ids: filter.ids ?? null,
    kinds: filter.kinds ?? null,
    idPrefix: filter.idPrefix ?? null,
    nameContains: filter.nameContains ?? null,
    statuses: filter.statuses ?? null,
    properties: (filter.properties ?? []).map(propertyFilterParam),
  };
}

/** A key the node can hold as a user property; null for the store's own keys (never a property). */
const userKey = (key: string | undefined): string | null => (key === undefined || key === '' || isStoreKey(key) ? null : key);

function propertyFilterParam(f: PropertyFilter): Record<string, unknown> {
  const key = userKey(f.key);
  if (f.op === 'exists') return { key, op: f.op, type: 'boolean', value: Boolean(f.value) };
  if (f.op === 'in') {
    // Cypher's IN compares like the embedded store: numbers with numbers, text with text, booleans with booleans.
    return { key, op: f.op, type: 'list', value: Array.isArray(f.value) ? f.value : [f.value] };
  }
  const operand = (f.value ?? null) as Scalar | null;
  const type = typeof operand === 'number' ? 'number' : typeof operand === 'boolean' ? 'boolean' : 'string';
  return { key, op: f.op, type, value: operand };
}

function sortKey(sort: AssetSort): string | null {
  if (sort.field === 'property') return userKey(sort.property);
  return { id: 'id', name: 'name', kind: 'kind', updatedAt: 'updatedAt' }[sort.field];
}

/**
 * The Neo4j GraphStore. Assets are `(:Asset {id, kind, name, status, version, createdAt,
 * updatedAt, ...user properties})` with live state as the JSON strings `_state` (metric -> value)
 * and `_stateObservedAt` (metric -> observation time); `status` is native so filters use it.
 * Relationships are native typed relationships carrying their properties (plus `_createdAt`,
 * `_updatedAt`). Received state event ids are `(:StateEvent {id, seenAt})`; the quarantine is
 * `(:RejectedReport {id, receivedAt, assetId, reason, record})` with `record` as JSON.
 * Scenarios are `(:ScenarioRun {id, kind, status, progress, seed, error, submittedAt, startedAt,
 * finishedAt, summary, input, idempotencyKey, engineVersion, modelVersion, inputHash, attempts})`
 * with `summary` and `input` as JSON, and `-[:HAS_RESULT]->(:SimulationResult {key, runId, assetId,
 * state, depth, cause, availability, availabilityLow, availabilityHigh, loadKw, utilization,
 * overloaded})-[:FOR]->(:Asset)`; results go with their run and with their asset.
 * Every statement is a named file in `cypher/`; every batch is one statement (UNWIND) or one
 * transaction. Behaviour matches the embedded SQLite store (the contract suite runs both).
 */
export class Neo4jGraphStore implements GraphStore {
  readonly backend = 'neo4j';
  private readonly executor: CypherExecutor;
  private readonly queries: CypherQueries;
  private readonly pageQueries: { asc: CypherQuery; desc: CypherQuery };
  private readonly mergeQueries = new Map<string, CypherQuery>();
  private readonly quarantineIds = new QuarantineIdSource();
  /** When the next state-events-prune may run (Date.now() scale); 0 = at the next batch. */
  private nextPruneAt = 0;

  constructor(
    connection: Neo4jConnection,
    private readonly model: ModelIndex,
    /** Where the query files are; default the project's `cypher/` folder. */
    cypherDir?: string,
  ) {
    this.queries = CypherQueries.load(NEO4J_QUERY_NAMES, cypherDir);
    const page = this.queries.get('asset-page');
    this.pageQueries = {
      asc: { ...page, body: page.body.replaceAll('__DIRECTION__', 'ASC') },
      desc: { ...page, body: page.body.replaceAll('__DIRECTION__', 'DESC') },
    };
    this.executor = new CypherExecutor(connection);
  }

  private q(name: Neo4jQueryName): CypherQuery {
    return this.queries.get(name);
  }

  async init(): Promise<void> {
    await this.executor.verifyConnectivity();
    for (const name of NEO4J_SCHEMA_QUERIES) {
      try {
        await this.executor.write(this.q(name));
      } catch (err) {
        // Another instance starting at the same time may have created it first.
        if (!/AlreadyExists$/.test(String((err as { code?: unknown }).code ?? ''))) throw err;
      }
    }
  }

  async close(): Promise<void> {
    await this.executor.close();
  }

  async upsertAssets(writes: AssetWrite[]): Promise<AssetRecord[]> {
    if (writes.length === 0) return [];
    // Sorted: the same lock order as applyState, so concurrent batches queue rather than deadlock.
    const ids = [...new Set(writes.map((w) => w.id))].sort();
    return this.executor.writeTransaction(async (tx) => {
      const now = iso();
      // Lock (and create bare) every asset of the batch, then merge in TypeScript exactly as the
      // embedded store does, write back the final state of each asset in one statement.
      const stored = new Map<string, AssetRecord>();
      for (const row of await tx.run(this.q('asset-lock'), { ids })) {
        if (row.asset) stored.set(row.assetId as string, toAsset(row.asset as Record<string, unknown>));
      }
      const current = new Map(stored);
      const results = writes.map((write) => {
        const before = current.get(write.id) ?? null;
        const after = applyAssetWrite(before, write, now);
        if (after === before) return before;
        current.set(write.id, after);
        return after;
      });
      const rows = ids.map((id) => {
        const before = stored.get(id) ?? null;
        const after = current.get(id)!;
        return { id, changes: after === before ? {} : nodeChanges(before, after) };
      });
      await tx.run(this.q('asset-save'), { rows });
      return results;
    });
  }

  async deleteAssets(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const [row] = await this.executor.write(this.q('asset-delete'), { ids: [...new Set(ids)] });
    return (row?.deleted as number) ?? 0;
  }

  async relate(writes: RelationshipWrite[]): Promise<RelationshipRecord[]> {
    if (writes.length === 0) return [];
    // Group by type, each type checked before it is spliced into Cypher.
    const byType = new Map<string, { position: Integer; fromId: string; toId: string; properties: Record<string, unknown> }[]>();
    writes.forEach((write, index) => {
      const rows = byType.get(write.type) ?? [];
      if (rows.length === 0) {
        this.mergeQuery(write.type, index);
        byType.set(write.type, rows);
      }
      const properties: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(write.properties ?? {})) properties[key] = toNeo4jValue(value);
      rows.push({ position: int(index), fromId: write.from, toId: write.to, properties });
    });
    const ids = [...new Set(writes.flatMap((w) => [w.from, w.to]))];
    const now = iso();
    await this.executor.writeTransaction(async (tx) => {
      await this.checkEndpoints(tx, writes, ids);
      const merged = new Set<number>();
      for (const [type, rows] of byType) {
        for (const row of await tx.run(this.mergeQuery(type), { rows, now })) merged.add(row.position as number);
      }
      if (merged.size < writes.length) {
        // An endpoint vanished between the check and the merge (a concurrent delete): fail the batch.
        await this.checkEndpoints(tx, writes, ids);
        const index = writes.findIndex((_, i) => !merged.has(i));
        throw notFound(`input[${index}]: an endpoint was deleted while relating`, { index, field: 'from' });
      }
    });
    return writes.map((write) => ({ from: write.from, to: write.to, type: write.type, properties: write.properties ?? {} }));
  }

  /** Throw NOT_FOUND for the first missing endpoint, in input order (from before to). */
  private async checkEndpoints(tx: CypherRunner, writes: RelationshipWrite[], ids: string[]): Promise<void> {
    const existing = new Set((await tx.run(this.q('asset-existing-ids'), { ids })).map((row) => row.id as string));
    writes.forEach((write, index) => {
      for (const end of ['from', 'to'] as const) {
        if (!existing.has(write[end])) {
          throw notFound(`input[${index}].${end}: asset "${write[end]}" does not exist`, { index, field: end });
        }
      }
    });
  }

  /** relationship-merge with its type spliced in, once the type is known to be a model type of a safe shape. */
  private mergeQuery(type: string, index = 0): CypherQuery {
    const cached = this.mergeQueries.get(type);
    if (cached) return cached;
    if (!this.model.types.has(type) || !RELATIONSHIP_TYPE_NAME.test(type)) {
      throw badInput(`input[${index}].type: unknown relationship type ${JSON.stringify(type)}; the model "${this.model.model.name}" has ${[...this.model.types.keys()].join(', ')}`, {
        index,
        field: `input[${index}].type`,
      });
    }
    const template = this.q('relationship-merge');
    const query = { ...template, body: template.body.replaceAll('__TYPE__', `\`${type}\``) };
    this.mergeQueries.set(type, query);
    return query;
  }

  async unrelate(keys: RelationshipKey[]): Promise<number> {
    const unique = new Map(keys.map((k) => [JSON.stringify([k.from, k.type, k.to]), { fromId: k.from, relType: k.type, toId: k.to }]));
    if (unique.size === 0) return 0;
    const [row] = await this.executor.write(this.q('relationship-delete'), { keys: [...unique.values()] });
    return (row?.removed as number) ?? 0;
  }

  async getAssets(ids: string[]): Promise<(AssetRecord | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.executor.read(this.q('asset-get'), { ids: [...new Set(ids)] });
    const byId = new Map(rows.map((row) => {
      const asset = toAsset(row.asset as Record<string, unknown>);
      return [asset.id, asset];
    }));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async getAssetSummaries(ids: string[]): Promise<(AssetSummary | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.executor.read(this.q('asset-summaries'), { ids: [...new Set(ids)] });
    const byId = new Map(rows.map((row) => [row.id as string, { id: row.id as string, kind: row.kind as string, name: (row.name as string | null) ?? null }]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.executor.read(this.q('asset-existing-ids'), { ids: [...new Set(ids)] });
    return new Set(rows.map((row) => row.id as string));
  }

  async listAssets(query: AssetListQuery): Promise<AssetPage> {
    const limit = Math.max(0, Math.floor(query.limit));
    const statement = query.sort.descending ? this.pageQueries.desc : this.pageQueries.asc;
    const rows = await this.executor.read(statement, {
      filter: filterParams(query.filter),
      sortKey: sortKey(query.sort),
      descending: query.sort.descending,
      after: query.after ? { value: query.after.value ?? null, id: query.after.id } : null,
      limit: int(limit + 1),
    });
    const page = rows.slice(0, limit);
    return {
      assets: page.map((row) => toAsset(row.asset as Record<string, unknown>)),
      sortValues: page.map((row) => (row.sortValue ?? null) as Scalar | null),
      hasNextPage: rows.length > limit,
    };
  }

  async countAssets(filter: AssetFilter): Promise<number> {
    const [row] = await this.executor.read(this.q('asset-count'), { filter: filterParams(filter) });
    return (row?.total as number) ?? 0;
  }

  async relationshipsOf(ids: string[], direction: Direction, types?: string[]): Promise<Map<string, RelationshipRecord[]>> {
    const result = new Map<string, RelationshipRecord[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return result;
    const params = { ids: [...result.keys()], types: types ?? null };
    const [outgoing, incoming] = await this.executor.readTransaction(async (tx) => [
      direction === 'IN' ? [] : await tx.run(this.q('relationships-from'), params),
      direction === 'OUT' ? [] : await tx.run(this.q('relationships-to'), params),
    ]);
    for (const row of outgoing) result.get(row.fromId as string)!.push(toRelationship(row));
    for (const row of incoming) {
      // A self-loop matched by both ends is still one relationship.
      if (direction === 'BOTH' && row.fromId === row.toId) continue;
      result.get(row.toId as string)!.push(toRelationship(row));
    }
    return result;
  }

  async dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]> {
    const byLookup = await this.runDependencyLookups(ids, side, types, (end) => `relationships-${end}`);
    return byLookup.flatMap(([lookup, rows]) =>
      rows.map((row) => ({ ...dependencyEnds(lookup, row.fromId as string, row.toId as string), relationship: toRelationship(row) })),
    );
  }

  async dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): Promise<[string, string][]> {
    const byLookup = await this.runDependencyLookups(ids, side, types, (end) => `relationship-ends-${end}`);
    return byLookup.flatMap(([lookup, rows]) =>
      rows.map((row): [string, string] => (lookup.idsAt === 'from' ? [row.fromId as string, row.toId as string] : [row.toId as string, row.fromId as string])),
    );
  }

  /** The rows of each dependency lookup, in one read transaction; `query` names the file per end. */
  private async runDependencyLookups(
    ids: string[],
    side: DependencySide,
    types: string[] | undefined,
    query: (end: 'from' | 'to') => Neo4jQueryName,
  ): Promise<[DependencyLookup, Row[]][]> {
    const lookups = dependencyLookups(this.model, side, types);
    if (ids.length === 0 || lookups.length === 0) return [];
    const distinct = [...new Set(ids)];
    return this.executor.readTransaction(async (tx) => {
      const out: [DependencyLookup, Row[]][] = [];
      for (const lookup of lookups) out.push([lookup, await tx.run(this.q(query(lookup.idsAt)), { ids: distinct, types: lookup.types })]);
      return out;
    });
  }

  async applyState(reports: StateWrite[], opts: { eventRetentionMs: number }): Promise<StateApplied[]> {
    if (reports.length === 0) return [];
    const ids = [...new Set(reports.map((r) => r.assetId))].sort();
    const eventIds = [...new Set(reports.flatMap((r) => (r.eventId === undefined ? [] : [r.eventId])))].sort();
    const outcomes = await this.executor.writeTransaction(async (tx) => {
      // One clock reading per attempt (the driver may retry the body) for the write time and the horizon.
      const nowMs = Date.now();
      const now = new Date(nowMs).toISOString();
      const horizon = new Date(nowMs - opts.eventRetentionMs).toISOString();
      // Lock the batch's event ids, then its existing assets (never creating one), always in this
      // order, so concurrent batches queue instead of deadlocking. Under both locks, what we read
      // is what every earlier batch for these events and assets committed.
      const seen = new Set<string>();
      if (eventIds.length > 0) {
        for (const row of await tx.run(this.q('state-events-lock'), { eventIds })) {
          if (row.seenAt !== null && (row.seenAt as string) >= horizon) seen.add(row.eventId as string);
        }
      }
      const stored = new Map<string, AssetRecord>();
      for (const row of await tx.run(this.q('state-lock'), { ids })) {
        const asset = toAsset(row.asset as Record<string, unknown>);
        stored.set(asset.id, asset);
      }
      // The same merge as the embedded store, report by report in input order.
      const current = new Map(stored);
      const recorded = new Set<string>();
      const results = reports.map((report): StateApplied => {
        if (report.eventId !== undefined && (recorded.has(report.eventId) || seen.has(report.eventId))) {
          return { outcome: 'DUPLICATE', reason: `event ${report.eventId} was already received` };
        }
        const before = current.get(report.assetId);
        if (!before) return { outcome: 'REJECTED', reason: `unknown asset "${report.assetId}"` };
        if (report.eventId !== undefined) recorded.add(report.eventId);
        const applied = applyStateWrite(before, report, now);
        if (!applied) return { outcome: 'STALE', reason: 'every metric already has a newer or equal observation' };
        current.set(report.assetId, applied.asset);
        return { outcome: 'ACCEPTED', changed: applied.changed, asset: applied.asset };
      });
      if (stored.size > 0) {
        const rows = [...stored.keys()].map((id) => {
          const after = current.get(id)!;
          return { id, changes: after === stored.get(id) ? {} : stateChanges(after) };
        });
        await tx.run(this.q('state-save'), { rows });
      }
      if (eventIds.length > 0) await tx.run(this.q('state-events-record'), { eventIds, recorded: [...recorded], now });
      return results;
    });
    await this.pruneStateEvents(opts.eventRetentionMs);
    return outcomes;
  }

  /**
   * Delete expired state events, outside the batch transaction: expiry is already exact in
   * state-events-lock, so this is housekeeping, and doing it in every batch transaction would make
   * concurrent batches for different assets queue on the same expiring events. Runs at most every
   * PRUNE_INTERVAL_MS while it keeps up (at once again when a call hit its limit); a failure only
   * postpones it.
   */
  private async pruneStateEvents(eventRetentionMs: number): Promise<void> {
    const nowMs = Date.now();
    if (nowMs < this.nextPruneAt) return;
    this.nextPruneAt = nowMs + PRUNE_INTERVAL_MS;
    try {
      const [row] = await this.executor.write(this.q('state-events-prune'), {
        horizon: new Date(nowMs - eventRetentionMs).toISOString(),
        limit: int(PRUNE_LIMIT),
      });
      if (((row?.pruned as number) ?? 0) >= PRUNE_LIMIT) this.nextPruneAt = 0;
    } catch {
      // Best effort (e.g. a concurrent prune of the same events): the next interval tries again.
    }
  }

  async quarantine(reports: RejectedReport[], keep: number): Promise<void> {
    const rows = reports.map((r) => ({
      id: this.quarantineIds.next(),
      receivedAt: r.receivedAt,
      assetId: r.assetId,
      reason: r.reason,
      record: JSON.stringify(r.record ?? null),
    }));
    await this.executor.writeTransaction(async (tx) => {
      if (rows.length > 0) await tx.run(this.q('quarantine-add'), { reports: rows });
      await tx.run(this.q('quarantine-trim'), { keep: int(Math.max(0, Math.floor(keep))) });
    });
  }

  async listQuarantine(limit: number, after?: string): Promise<{ reports: StoredRejectedReport[]; hasNextPage: boolean }> {
    const size = Math.max(0, Math.floor(limit));
    const rows = await this.executor.read(this.q('quarantine-page'), { after: after ?? null, limit: int(size + 1) });
    return {
      reports: rows.slice(0, size).map((row) => {
        const report = row.report as Record<string, unknown>;
        return {
          id: report.id as string,
          receivedAt: report.receivedAt as string,
          assetId: (report.assetId as string | null | undefined) ?? null,
          reason: report.reason as string,
          record: parseRecord(report.record),
        };
      }),
      hasNextPage: rows.length > size,
    };
  }

  async createRun(run: ScenarioRunRecord): Promise<{ run: ScenarioRunRecord; created: boolean }> {
    const params = { run: runProperties(run) };
    if (run.idempotencyKey === null || run.idempotencyKey === undefined) {
      const [row] = await this.executor.write(this.q('scenario-run-create'), params);
      return { run: toRun(row.run as Record<string, unknown>), created: true };
    }
    const create = async () => {
      const [row] = await this.executor.write(this.q('scenario-run-create-idempotent'), params);
      return { run: toRun(row.run as Record<string, unknown>), created: row.created === true };
    };
    try {
      return await create();
    } catch (err) {
      // The MERGE on the constrained key is race-safe; should a concurrent submission with the
      // same key still surface as a constraint violation, the retry finds its run. A run id
      // already in use fails again and stays a CONFLICT.
      if (err instanceof DomainError && err.code === 'CONFLICT') return create();
      throw err;
    }
  }

  async getRuns(ids: string[]): Promise<(ScenarioRunRecord | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.executor.read(this.q('scenario-runs-get'), { ids: [...new Set(ids)] });
    const byId = new Map(rows.map((row) => {
      const run = toRun(row.run as Record<string, unknown>);
      return [run.id, run];
    }));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async listRuns(filter: ScenarioRunFilter, limit: number, after?: string): Promise<{ runs: ScenarioRunRecord[]; hasNextPage: boolean }> {
    const size = Math.max(0, Math.floor(limit));
    const rows = await this.executor.read(this.q('scenario-run-page'), {
      statuses: filter.statuses ?? null,
      kinds: filter.kinds ?? null,
      after: after ?? null,
      limit: int(size + 1),
    });
    return { runs: rows.slice(0, size).map((row) => toRun(row.run as Record<string, unknown>)), hasNextPage: rows.length > size };
  }

  async updateRun(id: string, patch: ScenarioRunPatch, fromStatuses: string[]): Promise<ScenarioRunRecord | null> {
    const [row] = await this.executor.write(this.q('scenario-run-update'), { id, fromStatuses, changes: runChanges(patch) });
    return row?.applied === true ? toRun(row.run as Record<string, unknown>) : null;
  }

  async deleteRun(id: string): Promise<void> {
    await this.executor.write(this.q('scenario-run-delete'), { id });
  }

  async writeResults(runId: string, results: SimulationResultRecord[]): Promise<boolean> {
    // One row per asset, the last one given winning, sorted by asset id so that concurrent
    // writers lock the shared Asset nodes in the same order. Each record's own runId is not consulted.
    const byAsset = new Map<string, SimulationResultRecord>();
    for (const r of results) byAsset.set(r.assetId, r);
    const rows = [...byAsset.values()]
      .sort((x, y) => (x.assetId < y.assetId ? -1 : x.assetId > y.assetId ? 1 : 0))
      .map((r) => ({
        key: simulationResultKey(runId, r.assetId),
        assetId: r.assetId,
        values: {
          state: r.state ?? null,
          depth: whole(r.depth),
          cause: r.cause ?? null,
          availability: r.availability ?? null,
          availabilityLow: r.availabilityLow ?? null,
          availabilityHigh: r.availabilityHigh ?? null,
          loadKw: r.loadKw ?? null,
          utilization: r.utilization ?? null,
          overloaded: r.overloaded ?? null,
        },
      }));
    return this.executor.writeTransaction(async (tx) => {
      // The run's status under its lock: a cancel committed before is seen, a later one waits.
      const [run] = await tx.run(this.q('scenario-run-lock'), { runId });
      if (run?.status !== 'RUNNING') return false;
      for (let i = 0; i < rows.length; i += RESULT_BATCH) {
        await tx.run(this.q('simulation-results-write'), { runId, results: rows.slice(i, i + RESULT_BATCH) });
      }
      return true;
    });
  }

  async listResults(runId: string, limit: number, after?: string): Promise<{ results: SimulationResultRecord[]; hasNextPage: boolean; totalCount: number }> {
    const size = Math.max(0, Math.floor(limit));
    const [rows, [count]] = await this.executor.readTransaction(async (tx) => [
      await tx.run(this.q('simulation-results-page'), { runId, after: after ?? null, limit: int(size + 1) }),
      await tx.run(this.q('simulation-results-count'), { runId }),
    ]);
    return {
      results: rows.slice(0, size).map((row) => toResult(row.result as Record<string, unknown>)),
      hasNextPage: rows.length > size,
      totalCount: (count?.total as number) ?? 0,
    };
  }

  async resultsForAssets(assetIds: string[], last: number): Promise<Map<string, SimulationResultRecord[]>> {
    const out = new Map<string, SimulationResultRecord[]>(assetIds.map((id) => [id, []]));
    const keep = Math.min(Math.floor(last), Number.MAX_SAFE_INTEGER);
    if (out.size === 0 || !(keep > 0)) return out;
    const rows = await this.executor.read(this.q('simulation-results-for-assets'), { assetIds: [...out.keys()], last: int(keep) });
    for (const row of rows) out.get(row.assetId as string)?.push(toResult(row.result as Record<string, unknown>));
    return out;
  }

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map(auditRow);
    // One transaction for the whole call; MERGE on the id ignores entries already stored.
    await this.executor.writeTransaction(async (tx) => {
      for (let i = 0; i < rows.length; i += AUDIT_APPEND_BATCH) {
        await tx.run(this.q('audit-append'), { entries: rows.slice(i, i + AUDIT_APPEND_BATCH) });
      }
    });
  }

  async listAudit(filter: AuditFilter, limit: number, after?: string): Promise<{ entries: AuditEntry[]; hasNextPage: boolean }> {
    const size = Math.max(0, Math.floor(limit));
    const rows = await this.executor.read(this.q('audit-page'), {
      filter: {
        actor: filter.actor ?? null,
        operation: filter.operation ?? null,
        assetId: filter.assetId ?? null,
        since: filter.since ?? null,
        until: filter.until ?? null,
      },
      after: after ?? null,
      limit: int(size + 1),
    });
    return { entries: rows.slice(0, size).map((row) => toAuditEntry(row.entry as Record<string, unknown>)), hasNextPage: rows.length > size };
  }

  async pruneAudit(before: string): Promise<number> {
    // In bounded transactions: the first prune after a long pause may have many entries to delete.
    let total = 0;
    for (;;) {
      const [row] = await this.executor.write(this.q('audit-prune'), { before, limit: int(AUDIT_PRUNE_BATCH) });
      const pruned = (row?.pruned as number) ?? 0;
      total += pruned;
      if (pruned < AUDIT_PRUNE_BATCH) return total;
    }
  }
}

/** A quarantined record back from its JSON string (kept as the raw string if it is not JSON). */
function parseRecord(raw: unknown): unknown {
  if (typeof raw !== 'string') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
