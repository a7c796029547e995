import { badInput } from '../errors';
import type { ModelIndex } from '../model/twin-model';
import { dependencyEnds, dependencyLookups } from './dependency-lookups';
import { neighboursLevelByLevel } from './neighbours-within';
import type { TopologyHistoryStore } from './ports/topology-history-store';
import type { TopologyReader } from './ports/topology-store';
import { byRelationshipKey, relationshipKey, type AssetVersion } from './topology-log';
import type {
  AssetFilter,
  AssetListQuery,
  AssetPage,
  AssetRecord,
  AssetSummary,
  DependencyEdge,
  DependencySide,
  Direction,
  NeighbourWalk,
  PropertyFilter,
  RelationshipRecord,
  Scalar,
} from './types';

/**
 * The twin's topology as it was at a past moment (`asOf`), answering the same reads as the store.
 * Built from the current topology and, for every asset and relationship changed since `asOf`,
 * its first change after it, whose `before` is how it was then (null: it did not exist). So the
 * work is one history query plus the usual reads, whatever the age of `asOf`, and grows with the
 * number of things changed since, which is bounded (`maxChanges`).
 *
 * Live state is not topology: an asset's `state` and `status` here are its current ones (none for
 * an asset deleted since); `Asset.stateAt(asOf)` reads state history. A topology write that
 * commits while a view is in use may show through in the reads made after it.
 */
export class AsOfTopology implements TopologyReader {
  /** Assets changed since asOf: as they were then, or null when they did not exist. */
  private readonly assets = new Map<string, AssetVersion | null>();
  /** Relationships changed since asOf, by relationshipKey: as they were then, or null. */
  private readonly relationships = new Map<string, RelationshipRecord | null>();
  /** The relationships of `relationships` that existed at asOf, by each endpoint. */
  private readonly relationshipsAt = new Map<string, RelationshipRecord[]>();

  private constructor(
    private readonly store: TopologyReader,
    private readonly model: ModelIndex,
    readonly asOf: string,
  ) {}

  /**
   * A view at `asOf` (ISO). Refused when history does not reach back that far, or when more than
   * `maxChanges` assets and relationships changed since (the view would hold them all).
   */
  static async open(store: TopologyReader & TopologyHistoryStore, model: ModelIndex, asOf: string, maxChanges: number): Promise<AsOfTopology> {
    const start = await store.topologyHistoryStart();
    if (asOf < start) {
      throw badInput(`asOf ${asOf} is before topology history begins (${start}: when this store began keeping it, or the audit retention's cutoff)`, { field: 'asOf', historyStart: start });
    }
    const changes = await store.firstChangesSince(asOf, maxChanges + 1);
    if (changes.length > maxChanges) {
      throw badInput(`more than ${maxChanges} assets and relationships changed since asOf ${asOf} (HISTORY_ASOF_MAX_CHANGES): choose a later asOf`, { field: 'asOf' });
    }
    const view = new AsOfTopology(store, model, asOf);
    for (const change of changes) {
      if (change.entity === 'ASSET') view.assets.set(change.assetId, change.before);
      else view.addRelationship(relationshipKey(change.relationship), change.before);
    }
    return view;
  }

  private addRelationship(key: string, before: RelationshipRecord | null): void {
    this.relationships.set(key, before);
    const ends = before ? [...new Set([before.from, before.to])] : [];
    for (const id of ends) {
      const list = this.relationshipsAt.get(id);
      if (list) list.push(before!);
      else this.relationshipsAt.set(id, [before!]);
    }
  }

  /** Whether relationships of this asset changed since asOf (then its current ones are not enough). */
  private touched(id: string): boolean {
    return this.relationshipsAt.has(id) || this.assets.has(id);
  }

  private unchanged = (r: RelationshipRecord) => !this.relationships.has(relationshipKey(r));

  async getAssets(ids: string[]): Promise<(AssetRecord | null)[]> {
    const current = await this.store.getAssets(ids);
    return ids.map((id, i) => (this.assets.has(id) ? asRecord(this.assets.get(id)!, current[i]) : current[i]));
  }

  async getAssetSummaries(ids: string[]): Promise<(AssetSummary | null)[]> {
    const current = await this.store.getAssetSummaries(ids.filter((id) => !this.assets.has(id)));
    const byId = new Map(current.flatMap((a) => (a ? [[a.id, a] as const] : [])));
    return ids.map((id) => {
      if (!this.assets.has(id)) return byId.get(id) ?? null;
      const then = this.assets.get(id)!;
      return then && { id, kind: then.kind, name: then.name };
    });
  }

  async existingIds(ids: string[]): Promise<Set<string>> {
    const current = await this.store.existingIds(ids);
    return new Set(ids.filter((id) => (this.assets.has(id) ? this.assets.get(id) !== null : current.has(id))));
  }

  async relationshipsOf(ids: string[], direction: Direction, types?: string[], opts?: { properties?: boolean }): Promise<Map<string, RelationshipRecord[]>> {
    const current = await this.store.relationshipsOf(ids, direction, types, opts);
    for (const id of ids) {
      const then = (this.relationshipsAt.get(id) ?? []).filter(
        (r) => (!types || types.includes(r.type)) && (direction === 'BOTH' || (direction === 'OUT' ? r.from === id : r.to === id)),
      );
      const now = current.get(id) ?? [];
      const kept = now.filter(this.unchanged);
      if (then.length === 0 && kept.length === now.length) continue;
      current.set(id, [...kept, ...then].sort(byRelationshipKey));
    }
    return current;
  }

  async dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]> {
    const current = (await this.store.dependencyEdges(ids, side, types)).filter((edge) => this.unchanged(edge.relationship));
    const then: DependencyEdge[] = [];
    for (const lookup of dependencyLookups(this.model, side, types)) {
      for (const id of ids) {
        for (const r of this.relationshipsAt.get(id) ?? []) {
          if (lookup.types.includes(r.type) && r[lookup.idsAt] === id) then.push({ ...dependencyEnds(lookup, r.from, r.to), relationship: r });
        }
      }
    }
    return [...current, ...then];
  }

  /** Level by level: each level's changed assets must be set right before the next is known. */
  async dependencyNeighboursWithin(ids: string[], side: DependencySide, depth: number, types?: string[]): Promise<NeighbourWalk> {
    return neighboursLevelByLevel((frontier) => this.dependencyNeighbours(frontier, side, types), ids, depth);
  }

  async dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): Promise<[string, string][]> {
    // Assets none of whose relationships changed since asOf have their current neighbours; the
    // others go through their edges, which name the relationships to set right.
    const touched = ids.filter((id) => this.touched(id));
    const untouched = touched.length === 0 ? ids : ids.filter((id) => !this.touched(id));
    const pairs = untouched.length ? await this.store.dependencyNeighbours(untouched, side, types) : [];
    if (touched.length === 0) return pairs;
    for (const edge of await this.dependencyEdges(touched, side, types)) {
      pairs.push(side === 'UPSTREAM' ? [edge.consumer, edge.supplier] : [edge.supplier, edge.consumer]);
    }
    return pairs;
  }

  async listAssets(query: AssetListQuery): Promise<AssetPage> {
    const sortValue = sortValueOf(query.sort);
    if (this.assets.size === 0) return this.store.listAssets(query);
    const { after, sort } = query;
    const order = (a: Sorted, b: Sorted) => compareSorted(a.value, a.asset.id, b.value, b.asset.id, sort.descending);
    // The assets as they were, where they changed since; the store's pages for the others.
    const then = (await this.changedAssetsMatching(query.filter))
      .map((asset) => ({ asset, value: sortValue(asset) }))
      .filter((item) => !after || compareSorted(item.value, item.asset.id, after.value, after.id, sort.descending) > 0);
    const now = await this.unchangedPage(query, query.limit + 1);
    const merged = [...now, ...then].sort(order).slice(0, query.limit + 1);
    const page = merged.slice(0, query.limit);
    return { assets: page.map((p) => p.asset), sortValues: page.map((p) => p.value), hasNextPage: merged.length > query.limit };
  }

  async countAssets(filter: AssetFilter): Promise<number> {
    if (this.assets.size === 0) return this.store.countAssets(filter);
    const changed = [...this.assets.keys()];
    const ids = filter.ids ? changed.filter((id) => filter.ids!.includes(id)) : changed;
    const [all, changedNow, changedThen] = await Promise.all([
      this.store.countAssets(filter),
      ids.length ? this.store.countAssets({ ...filter, ids }) : 0,
      this.changedAssetsMatching(filter),
    ]);
    return all - changedNow + changedThen.length;
  }

  /** The assets changed since asOf that existed then and match `filter` as they were. */
  private async changedAssetsMatching(filter: AssetFilter): Promise<AssetRecord[]> {
    const ids = [...this.assets].filter(([, then]) => then !== null).map(([id]) => id);
    const assets = (await this.getAssets(ids)).filter((a): a is AssetRecord => a !== null);
    return assets.filter((asset) => matches(asset, filter));
  }

  /** Up to `limit` assets of the store's pages from the query's cursor on, leaving out those changed since asOf. */
  private async unchangedPage(query: AssetListQuery, limit: number): Promise<Sorted[]> {
    const kept: Sorted[] = [];
    let after = query.after;
    for (;;) {
      const page = await this.store.listAssets({ ...query, after, limit });
      page.assets.forEach((asset, i) => {
        if (!this.assets.has(asset.id) && kept.length < limit) kept.push({ asset, value: page.sortValues[i] });
      });
      if (kept.length >= limit || !page.hasNextPage) return kept;
      const last = page.assets.length - 1;
      after = { value: page.sortValues[last], id: page.assets[last].id };
    }
  }
}

/** An asset of a page with the value it is sorted on. */
interface Sorted {
  asset: AssetRecord;
  value: Scalar | null;
}

/** An asset as it was (null: it did not exist), with its current live state if it still exists. */
function asRecord(then: AssetVersion | null, now: AssetRecord | null): AssetRecord | null {
  if (!then) return null;
  return { ...then, state: now?.state ?? {}, stateObservedAt: now?.stateObservedAt ?? {}, status: now?.status ?? null };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The sort value of an asset for the sorts an asOf page can merge in memory exactly as the stores
 * order them. A property sort is refused: the stores order mixed-type values each their own way.
 */
function sortValueOf(sort: AssetListQuery['sort']): (asset: AssetRecord) => Scalar | null {
  switch (sort.field) {
    case 'id':
      return (a) => a.id;
    case 'name':
      return (a) => a.name;
    case 'kind':
      return (a) => a.kind;
    case 'updatedAt':
      return (a) => a.updatedAt;
    default:
      throw badInput('orderBy a property is not available with asOf: order by id, name, kind or updatedAt', { field: 'orderBy' });
  }
}

/** The stores' order: nulls last either way, then the value, then the id, both in the sort's direction. */
function compareSorted(a: Scalar | null, aId: string, b: Scalar | null, bId: string, descending: boolean): number {
  if ((a === null) !== (b === null)) return a === null ? 1 : -1;
  const dir = descending ? -1 : 1;
  if (a !== null && a !== b) return (a < b! ? -1 : 1) * dir;
  return cmp(aId, bId) * dir;
}

/** Whether an asset matches a filter, with the stores' semantics (see filterSql in sqlite-topology.ts). */
function matches(asset: AssetRecord, filter: AssetFilter): boolean {
  if (filter.ids && !filter.ids.includes(asset.id)) return false;
  if (filter.kinds && !filter.kinds.includes(asset.kind)) return false;
  if (filter.idPrefix !== undefined && !asset.id.startsWith(filter.idPrefix)) return false;
  if (filter.nameContains !== undefined && !asset.name?.toLowerCase().includes(filter.nameContains.toLowerCase())) return false;
  if (filter.statuses && (asset.status === null || !filter.statuses.includes(asset.status))) return false;
  return (filter.properties ?? []).every((f) => propertyMatches(asset.properties[f.key], f));
}

/** Values compare only within one type (a number never equals a string, as in Cypher); lists never. */
function propertyMatches(value: unknown, f: PropertyFilter): boolean {
  if (f.op === 'exists') return (value !== undefined && value !== null) === Boolean(f.value);
  if (value === undefined || value === null || Array.isArray(value)) return false;
  if (f.op === 'in') return (f.value as Scalar[]).some((v) => typeof v === typeof value && v === value);
  const operand = f.value as Scalar;
  if (typeof operand !== typeof value) return false;
  const [x, y] = [value as Scalar, operand];
  switch (f.op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    case 'gt':
      return x > y;
    case 'gte':
      return x >= y;
    case 'lt':
      return x < y;
    case 'lte':
      return x <= y;
  }
  return false;
}
