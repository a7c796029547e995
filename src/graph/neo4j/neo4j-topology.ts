import { int, type Integer } from 'neo4j-driver';
import { badInput, notFound } from '../../errors';
import { RELATIONSHIP_TYPE_NAME, type ModelIndex } from '../../model/twin-model';
import { applyAssetWrite } from '../asset-merge';
import { dependencyEnds, dependencyLookups } from '../dependency-lookups';
import type { TopologyStore } from '../ports/topology-store';
import { changeSet, uniqueRelationships, upsertChanges } from '../topology-changes';
import { relationshipKey, TopologyLogger, type TopologyChangeEntry } from '../topology-log';
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
  NeighbourWalk,
  Properties,
  PropertyFilter,
  PropertyValue,
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
  Scalar,
  AssetRef,
  RelationshipChange,
  Written,
} from '../types';
import type { CypherExecutor, CypherRunner, Row } from './cypher-executor';
import type { CypherQueries, CypherQuery } from './cypher-files';
import { alignById, countIn, isStoreKey, keysetPage, lockOrder, Neo4jPart, toAsset, whole } from './neo4j-records';
import { appendTopologyChanges } from './neo4j-topology-history';

/** The query files Neo4jTopology runs. */
export const TOPOLOGY_QUERY_NAMES = [
  'asset-lock',
  'asset-save',
  'asset-delete',
  'asset-get',
  'asset-summaries',
  'asset-existing-ids',
  'asset-page',
  'asset-page-by-id',
  'asset-count',
  'relationship-merge',
  'relationship-delete',
  'relationships-of',
  'dependency-edges',
  'dependency-neighbours',
  'dependency-reach',
  'topology-changes-append',
] as const;

type TopologyQueryName = (typeof TOPOLOGY_QUERY_NAMES)[number];

const iso = () => new Date().toISOString();

/** A property value as written to Neo4j: whole numbers as Integers, so they stay integers there. */
function toNeo4jValue(value: PropertyValue): unknown {
  if (typeof value === 'number') return whole(value);
  if (Array.isArray(value)) {
    // A Neo4j list property holds one type: whole numbers only if every item is one.
    const allIntegers = value.every((item) => typeof item === 'number' && Number.isSafeInteger(item));
    return allIntegers && value.length > 0 ? value.map((item) => int(item as number)) : value;
  }
  return value;
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

/** A relationship change as a record: its endpoints' ids without their kinds. */
const recordOf = (c: RelationshipChange): RelationshipRecord => ({ from: c.from.id, type: c.type, to: c.to.id, properties: c.properties });

/** A relationship as the delete queries return it (type, endpoint ids and kinds, properties). */
const toRelationshipChange = (row: Row): RelationshipChange => ({
  type: row.type as string,
  from: { id: row.fromId as string, kind: row.fromKind as string },
  to: { id: row.toId as string, kind: row.toKind as string },
  properties: relationshipProperties(row.properties),
});

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
 * Assets and relationships in Neo4j. Assets are `(:Asset {id, kind, name, status, version,
 * createdAt, updatedAt, ...user properties})` with live state as the JSON strings `_state`
 * (metric -> value) and `_stateObservedAt` (metric -> observation time), written by
 * Neo4jLiveState; `status` is native so filters use it. Relationships are native typed
 * relationships carrying their properties (plus `_createdAt`, `_updatedAt`).
 */
export class Neo4jTopology extends Neo4jPart<TopologyQueryName> implements TopologyStore {
  private readonly pageQueries: { asc: CypherQuery; desc: CypherQuery };
  /** asset-page-by-id by direction, and by whether there is a keyset to continue after. */
  private readonly idPageQueries: Record<'asc' | 'desc', { first: CypherQuery; after: CypherQuery }>;
  private readonly mergeQueries = new Map<string, CypherQuery>();
  private readonly reachQueries = new Map<number, CypherQuery>();
  private readonly log = new TopologyLogger();

  constructor(
    executor: CypherExecutor,
    queries: CypherQueries,
    private readonly model: ModelIndex,
  ) {
    super(executor, queries);
    const page = this.q('asset-page');
    this.pageQueries = {
      asc: { ...page, body: page.body.replaceAll('__DIRECTION__', 'ASC') },
      desc: { ...page, body: page.body.replaceAll('__DIRECTION__', 'DESC') },
    };
    const byId = this.q('asset-page-by-id');
    const fill = (direction: 'ASC' | 'DESC', after: string): CypherQuery => ({
      ...byId,
      body: byId.body.replaceAll('__DIRECTION__', direction).replaceAll('__AFTER__', after),
    });
    this.idPageQueries = {
      asc: { first: fill('ASC', 'a.id IS NOT NULL'), after: fill('ASC', 'a.id > $afterId') },
      desc: { first: fill('DESC', 'a.id IS NOT NULL'), after: fill('DESC', 'a.id < $afterId') },
    };
  }

  async upsertAssets(writes: AssetWrite[]): Promise<Written<{ assets: AssetRecord[] }>> {
    if (writes.length === 0) return { assets: [], changes: changeSet() };
    // Sorted: the same lock order as applyState, so concurrent batches queue rather than deadlock.
    const ids = lockOrder(writes.map((w) => w.id));
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
      // In input order (events follow it), not in lock order.
      const inputOrder = [...new Set(writes.map((w) => w.id))];
      await this.appendLog(tx, this.log.assetsWritten(inputOrder, stored, current));
      return { assets: results, changes: upsertChanges(inputOrder, stored, current) };
    });
  }

  async deleteAssets(ids: string[]): Promise<Written<{ deleted: number }>> {
    if (ids.length === 0) return { deleted: 0, changes: changeSet() };
    return this.executor.writeTransaction(async (tx) => {
      const rows = await tx.run(this.q('asset-delete'), { ids: [...new Set(ids)] });
      const relationships = uniqueRelationships(rows.flatMap((row) => (row.relationships as Row[]).map(toRelationshipChange)));
      const assets = rows.map((row) => toAsset(row.node as Record<string, unknown>));
      await this.appendLog(tx, this.log.removed(assets, relationships.map(recordOf)));
      return {
        deleted: rows.length,
        changes: changeSet({ assetsDeleted: assets.map(({ id, kind }): AssetRef => ({ id, kind })), relationshipsDeleted: relationships }),
      };
    });
  }

  async relate(writes: RelationshipWrite[]): Promise<Written<{ relationships: RelationshipRecord[] }>> {
    if (writes.length === 0) return { relationships: [], changes: changeSet() };
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
    const kinds = new Map<string, string>();
    const relationships = writes.map((write) => ({ from: write.from, to: write.to, type: write.type, properties: write.properties ?? {} }));
    await this.executor.writeTransaction(async (tx) => {
      await this.checkEndpoints(tx, writes, ids);
      const merged = new Set<number>();
      // Each relationship as it was before the batch: what its first write in the batch replaced.
      const previous = new Map<string, { position: number; properties: unknown }>();
      for (const [type, rows] of byType) {
        for (const row of await tx.run(this.mergeQuery(type), { rows, now })) {
          const position = row.position as number;
          const write = writes[position];
          merged.add(position);
          kinds.set(write.from, row.fromKind as string).set(write.to, row.toKind as string);
          const key = relationshipKey(write);
          if ((previous.get(key)?.position ?? Infinity) > position) previous.set(key, { position, properties: row.previous });
        }
      }
      if (merged.size < writes.length) {
        // An endpoint vanished between the check and the merge (a concurrent delete): fail the batch.
        await this.checkEndpoints(tx, writes, ids);
        const index = writes.findIndex((_, i) => !merged.has(i));
        throw notFound(`input[${index}]: an endpoint was deleted while relating`, { index, field: 'from' });
      }
      const stored = new Map<string, RelationshipRecord>();
      for (const [key, { position, properties }] of previous) {
        const { from, type, to } = writes[position];
        if (properties !== null) stored.set(key, { from, type, to, properties: relationshipProperties(properties) });
      }
      await this.appendLog(tx, this.log.related(relationships, stored));
    });
    const upserted = relationships.map((r) => ({ type: r.type, from: { id: r.from, kind: kinds.get(r.from)! }, to: { id: r.to, kind: kinds.get(r.to)! }, properties: r.properties }));
    return { relationships, changes: changeSet({ relationshipsUpserted: uniqueRelationships(upserted) }) };
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

  async unrelate(keys: RelationshipKey[]): Promise<Written<{ removed: number }>> {
    const unique = new Map(keys.map((k) => [JSON.stringify([k.from, k.type, k.to]), { fromId: k.from, relType: k.type, toId: k.to }]));
    if (unique.size === 0) return { removed: 0, changes: changeSet() };
    return this.executor.writeTransaction(async (tx) => {
      const removed = (await tx.run(this.q('relationship-delete'), { keys: [...unique.values()] })).map(toRelationshipChange);
      await this.appendLog(tx, this.log.removed([], removed.map(recordOf)));
      return { removed: removed.length, changes: changeSet({ relationshipsDeleted: removed }) };
    });
  }

  /** Topology history, in the write's transaction. */
  private appendLog(tx: CypherRunner, entries: TopologyChangeEntry[]): Promise<void> {
    return appendTopologyChanges(tx, this.q('topology-changes-append'), entries);
  }

  async getAssets(ids: string[]): Promise<(AssetRecord | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.executor.read(this.q('asset-get'), { ids: [...new Set(ids)] });
    return alignById(ids, rows.map((row) => toAsset(row.asset as Record<string, unknown>)), (asset) => asset.id);
  }

  async getAssetSummaries(ids: string[]): Promise<(AssetSummary | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.executor.read(this.q('asset-summaries'), { ids: [...new Set(ids)] });
    const summaries = rows.map((row): AssetSummary => ({ id: row.id as string, kind: row.kind as string, name: (row.name as string | null) ?? null }));
    return alignById(ids, summaries, (summary) => summary.id);
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.executor.read(this.q('asset-existing-ids'), { ids: [...new Set(ids)] });
    return new Set(rows.map((row) => row.id as string));
  }

  async listAssets(query: AssetListQuery): Promise<AssetPage> {
    const page = keysetPage(query.limit);
    const { rows, hasNextPage } = page.split(await this.executor.read(...this.pageStatement(query, page.limit)));
    return {
      assets: rows.map((row) => toAsset(row.asset as Record<string, unknown>)),
      sortValues: rows.map((row) => (row.sortValue ?? null) as Scalar | null),
      hasNextPage,
    };
  }

  /** The id order reads the id index (asset-page-by-id); every other sort asset-page. */
  private pageStatement({ filter, sort, after }: AssetListQuery, limit: Integer): [CypherQuery, Record<string, unknown>] {
    const direction = sort.descending ? 'desc' : 'asc';
    if (sort.field === 'id') {
      const queries = this.idPageQueries[direction];
      return after ? [queries.after, { filter: filterParams(filter), afterId: after.id, limit }] : [queries.first, { filter: filterParams(filter), limit }];
    }
    const keyset = after ? { value: after.value ?? null, id: after.id } : null;
    return [this.pageQueries[direction], { filter: filterParams(filter), sortKey: sortKey(sort), descending: sort.descending, after: keyset, limit }];
  }

  async countAssets(filter: AssetFilter): Promise<number> {
    return countIn(await this.executor.read(this.q('asset-count'), { filter: filterParams(filter) }), 'total');
  }

  async relationshipsOf(ids: string[], direction: Direction, types?: string[], opts: { properties?: boolean } = {}): Promise<Map<string, RelationshipRecord[]>> {
    const result = new Map<string, RelationshipRecord[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return result;
    const rows = await this.executor.read(this.q('relationships-of'), {
      ids: [...result.keys()],
      out: direction !== 'IN',
      in: direction !== 'OUT',
      types: types ?? null,
      properties: opts.properties ?? true,
    });
    for (const row of rows) {
      // A self-loop matched by both ends is still one relationship.
      if (row.outgoing) result.get(row.fromId as string)!.push(toRelationship(row));
      else if (direction !== 'BOTH' || row.fromId !== row.toId) result.get(row.toId as string)!.push(toRelationship(row));
    }
    return result;
  }

  async dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]> {
    const params = this.dependencyParams(ids, side, types);
    if (!params) return [];
    const forward = new Set(this.model.forwardTypes);
    return (await this.executor.read(this.q('dependency-edges'), params)).map((row) => ({
      ...dependencyEnds({ forward: forward.has(row.relType as string) }, row.fromId as string, row.toId as string),
      relationship: toRelationship(row),
    }));
  }

  async dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): Promise<[string, string][]> {
    const params = this.dependencyParams(ids, side, types);
    if (!params) return [];
    return (await this.executor.read(this.q('dependency-neighbours'), params)).map((row): [string, string] => [row.nearId as string, row.farId as string]);
  }

  /**
   * One statement for the whole walk (dependency-reach.cypher) rather than one per level: on
   * Neo4j each level's round trip costs more than the level's work.
   */
  async dependencyNeighboursWithin(ids: string[], side: DependencySide, depth: number, types?: string[], opts: { summaries?: boolean } = {}): Promise<NeighbourWalk> {
    if (depth <= 1) return { pairs: depth === 1 ? await this.dependencyNeighbours(ids, side, types) : [] };
    const params = this.dependencyParams(ids, side, types);
    if (!params) return { pairs: [] };
    const summaries = opts.summaries ? new Map<string, AssetSummary>() : undefined;
    const pairs: [string, string][] = [];
    for (const row of await this.executor.read(this.reachQuery(depth - 1), { ...params, summaries: summaries !== undefined })) {
      for (const [id, kind, name] of row.fars as [string, string?, (string | null)?][]) {
        pairs.push([row.nearId as string, id]);
        if (summaries && !summaries.has(id)) summaries.set(id, { id, kind: kind!, name: name ?? null });
      }
    }
    return { pairs, summaries };
  }

  private reachQuery(reach: number): CypherQuery {
    let query = this.reachQueries.get(reach);
    if (!query) {
      if (!Number.isSafeInteger(reach) || reach < 1) throw new Error(`dependency-reach: reach must be a positive integer, got ${reach}`);
      const template = this.q('dependency-reach');
      const types = [...this.model.forwardTypes, ...this.model.reverseTypes].map((type) => `\`${type}\``).join('|');
      query = { ...template, body: template.body.replaceAll('__REACH__', String(reach)).replaceAll('__DEPENDENCY_TYPES__', types) };
      this.reachQueries.set(reach, query);
    }
    return query;
  }

  /**
   * The parameters of the dependency statements: the relationship types a hop from `ids` follows
   * from their source (`out`) and from their target (`in`); null when there is nothing to find.
   */
  private dependencyParams(ids: string[], side: DependencySide, types?: string[]): { ids: string[]; out: string[]; in: string[] } | null {
    const lookups = dependencyLookups(this.model, side, types);
    if (ids.length === 0 || lookups.length === 0) return null;
    const along = (idsAt: 'from' | 'to') => lookups.filter((lookup) => lookup.idsAt === idsAt).flatMap((lookup) => lookup.types);
    return { ids: [...new Set(ids)], out: along('from'), in: along('to') };
  }
}
