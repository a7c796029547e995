import { int, type Integer } from 'neo4j-driver';
import { badInput, notFound } from '../../errors';
import { RELATIONSHIP_TYPE_NAME, type ModelIndex } from '../../model/twin-model';
import { RESERVED_PROPERTY_KEYS } from '../../model/validate';
import { applyAssetWrite } from '../asset-merge';
import type { GraphStore } from '../graph-store';
import type {
  AssetFilter,
  AssetListQuery,
  AssetPage,
  AssetRecord,
  AssetSort,
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
  Scalar,
} from '../types';
import { CypherExecutor, type CypherRunner, type Neo4jConnection, type Row } from './cypher-executor';
import { CypherQueries, type CypherQuery } from './cypher-files';

/** Schema statements applied, in this order, by `init()`; each is idempotent (IF NOT EXISTS). */
export const NEO4J_SCHEMA_QUERIES = ['schema-asset-id-unique', 'schema-asset-kind-index', 'schema-asset-name-index'] as const;

/** Every query file this adapter runs (`cypher/<name>.cypher`), loaded when it is constructed. */
export const NEO4J_QUERY_NAMES = [
  ...NEO4J_SCHEMA_QUERIES,
  'asset-lock',
  'asset-save',
  'asset-delete',
  'asset-get',
  'asset-existing-ids',
  'asset-page',
  'asset-count',
  'relationship-merge',
  'relationship-delete',
  'relationships-from',
  'relationships-to',
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

function parseState(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
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
    state: parseState(node._state),
    status: (node.status as string | null | undefined) ?? null,
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
  for (const [key, value] of Object.entries(after.properties)) changes[key] = toNeo4jValue(value);
  for (const key of Object.keys(before?.properties ?? {})) {
    if (!(key in after.properties)) changes[key] = null;
  }
  return changes;
}

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
 * updatedAt, ...user properties})` with live state as the JSON string `_state`; relationships
 * are native typed relationships carrying their properties (plus `_createdAt`, `_updatedAt`).
 * Every statement is a named file in `cypher/`; every batch is one statement (UNWIND) or one
 * transaction. Behaviour matches the embedded SQLite store (the contract suite runs both).
 */
export class Neo4jGraphStore implements GraphStore {
  readonly backend = 'neo4j';
  private readonly executor: CypherExecutor;
  private readonly queries: CypherQueries;
  private readonly pageQueries: { asc: CypherQuery; desc: CypherQuery };
  private readonly mergeQueries = new Map<string, CypherQuery>();

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
    const ids = [...new Set(writes.map((w) => w.id))];
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
    if (ids.length === 0) return [];
    const allowed = (list: string[]) => (types ? list.filter((t) => types.includes(t)) : list);
    const forward = allowed(this.model.forwardTypes);
    const reverse = allowed(this.model.reverseTypes);
    const distinct = [...new Set(ids)];
    // For UPSTREAM the given ids are consumers: the target of a FORWARD edge, the source of a REVERSE one.
    const [forwardRows, reverseRows] = await this.executor.readTransaction(async (tx) => [
      forward.length === 0
        ? []
        : await tx.run(this.q(side === 'UPSTREAM' ? 'relationships-to' : 'relationships-from'), { ids: distinct, types: forward }),
      reverse.length === 0
        ? []
        : await tx.run(this.q(side === 'UPSTREAM' ? 'relationships-from' : 'relationships-to'), { ids: distinct, types: reverse }),
    ]);
    return [
      ...forwardRows.map((row) => ({ supplier: row.fromId as string, consumer: row.toId as string, relationship: toRelationship(row) })),
      ...reverseRows.map((row) => ({ supplier: row.toId as string, consumer: row.fromId as string, relationship: toRelationship(row) })),
    ];
  }
}
