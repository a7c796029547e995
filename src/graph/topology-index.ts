import type { Config } from '../config';
import type { Logger } from '../logger';
import type { ModelIndex } from '../model/twin-model';
import { dependencyEnds, dependencyLookups, type DependencyLookup } from './dependency-lookups';
import type { GraphStore } from './graph-store';
import { TOPOLOGY_WRITES } from './ports/port-methods';
import { neighboursLevelByLevel } from './neighbours-within';
import { checkRequestDeadline, requestStartedAt, withoutRequestDeadline } from './request-deadline';
import { byRelationshipKey, entryKey, type TopologyChangeEntry } from './topology-log';
import type { AssetCursor, AssetSummary, DependencyEdge, DependencySide, Direction, NeighbourWalk, RelationshipKey, RelationshipRecord } from './types';

export interface TopologyIndexOptions {
  /** Most assets the index holds; a larger twin is left to the store (TOPOLOGY_INDEX_MAX_ASSETS; 0: no index). */
  maxAssets: number;
  /**
   * How long after its id was made a topology change may still commit: the store's longest
   * transaction (QUERY_TIMEOUT_MS) plus the clock skew allowed between processes. Changes younger
   * than that are counted again on every catch-up, in case one of them commits late.
   */
  settleMs: number;
  /** Most changes one catch-up reads before loading afresh instead (default SYNC_LIMIT; tests make it small). */
  maxCatchUp?: number;
  logger?: Logger;
}

/** Assets per page while loading, and changes per read while catching up. */
const LOAD_BATCH = 2_000;
const SYNC_BATCH = 5_000;
/**
 * Most changes one catch-up reads (bounded work per request): past it (a bulk import by another
 * process) the index loads afresh in the background, cheaper than reading every change, and
 * reads go to the store meanwhile.
 */
const SYNC_LIMIT = 20_000;
/** How long after a failed load the next read may try again. */
const RETRY_MS = 5_000;

/** The smallest id a change made at `ms` can have (ids are `<ms, 15 digits>-…`, see time-ordered-ids.ts). */
const idAt = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, '0');

type State = 'off' | 'idle' | 'loading' | 'ready';

/**
 * The twin's topology without its live state, in memory: every asset's id, kind and name and
 * every relationship with its properties, so that walks (dependents, dependencies, impact, a
 * scenario's region) and relationship lists need no store round trip. Neo4j answers a 10-level
 * walk of 10,000 hops in 100+ ms on two cores, and 100 racks' 1,600 relationships in 20 ms; in
 * memory either takes a few milliseconds. Whole asset records (properties, state) stay in the
 * store: live state changes far more often than topology.
 *
 * It is kept current from topology history, which every write appends to in its own transaction
 * (src/graph/topology-log.ts), so writes by any process (another API instance, the import CLI)
 * show up. Before each read it catches up: one read of the changes after the last one it applied,
 * shared by the reads that arrive while it waits. Change ids are time-ordered but made before
 * their transaction commits, so a change may commit after one with a larger id (two writers at
 * once); changes younger than `settleMs` are therefore counted again on each catch-up and, when
 * the count differs from what was applied, read again. Until loaded (in the background at
 * start), while far behind, or when the store fails, reads go to the store as before.
 */
export class TopologyIndex {
  private state: State;
  private summaries = new Map<string, AssetSummary>();
  /**
   * Every relationship, listed under each end (no map by key: at 100k assets its 240k keys alone
   * would take more memory than the relationships), and how many there are.
   */
  private relationshipCount = 0;
  private readonly names = new Map<string, string>();
  private byFrom = new Map<string, RelationshipRecord[]>();
  private byTo = new Map<string, RelationshipRecord[]>();
  /** Every change with an id up to `settled` is applied; `seen` is the largest id applied. */
  private settled = '';
  private seen = '';
  /**
   * Ids of the changes applied in (settled, seen], and the last of each key among them. After a
   * load, `preloaded` more of that window (up to `preloadedUpTo`) are in the loaded topology
   * without their ids: counted, not read, since right after a bulk import they are many.
   */
  private recent = new Set<string>();
  private preloaded = 0;
  private preloadedUpTo = '';
  private lastOfKey = new Map<string, string>();
  private loading: Promise<void> | null = null;
  private loadMs: number | null = null;
  private retryAt = 0;
  /** The catch-up running (with when it began) and the one queued after it. */
  private inflight: { began: number; done: Promise<boolean> } | null = null;
  private next: Promise<boolean> | null = null;
  /** When (performance.now()) the last catch-up that finished began, and when a write through this process last ended. */
  private caughtUpFrom = -Infinity;
  private writtenAt = -Infinity;

  constructor(
    private readonly store: GraphStore,
    private readonly model: ModelIndex,
    private readonly options: TopologyIndexOptions,
  ) {
    this.state = options.maxAssets > 0 ? 'idle' : 'off';
  }

  /** Begin loading in the background (reads go to the store meanwhile); resolves when loaded or given up. */
  start(): Promise<void> {
    if (this.state !== 'idle') return this.loading ?? Promise.resolve();
    this.state = 'loading';
    this.loading = withoutRequestDeadline(() => this.load()).finally(() => (this.loading = null));
    return this.loading;
  }

  /** Stop using the index: every read goes to the store from now on (before the store closes). */
  stop(): void {
    this.state = 'off';
    this.clear();
  }

  private get maxCatchUp(): number {
    return this.options.maxCatchUp ?? SYNC_LIMIT;
  }

  /** What the index holds, and how long its last load took (ms; null before the first). */
  get status(): { state: State; assets: number; relationships: number; loadMs: number | null } {
    return { state: this.state, assets: this.summaries.size, relationships: this.relationshipCount, loadMs: this.loadMs };
  }

  /** A write through this process ended: the next reads must catch up past it. */
  noteWrite(): void {
    this.writtenAt = performance.now();
  }

  /**
   * Whether the index can answer a read now: loaded and caught up with every change committed
   * before the current request began (before this call, outside a request) and with every write
   * this process made. So a request catches up once however many reads it makes, and requests
   * arriving together share one catch-up. False sends the read to the store.
   */
  async current(): Promise<boolean> {
    if (this.state === 'idle' && Date.now() >= this.retryAt) void this.start();
    if (this.state !== 'ready') return false;
    const needFrom = Math.max(requestStartedAt() ?? performance.now(), this.writtenAt);
    if (this.caughtUpFrom >= needFrom) return true;
    if (this.inflight && this.inflight.began >= needFrom) return this.inflight.done;
    // The catch-up in flight began too early for this read: the next one, shared by all that wait for it.
    this.next ??= (this.inflight?.done ?? Promise.resolve(true)).then(() => this.beginCatchUp());
    return this.next;
  }

  private beginCatchUp(): Promise<boolean> {
    this.next = null;
    const began = performance.now();
    const done = withoutRequestDeadline(() => this.catchUp()).then(
      (caughtUp) => {
        if (caughtUp) this.caughtUpFrom = Math.max(this.caughtUpFrom, began);
        return caughtUp && this.state === 'ready';
      },
      (err: unknown) => {
        this.options.logger?.warn({ err }, 'topology index could not catch up with topology history; reads go to the store');
        return false;
      },
    );
    this.inflight = { began, done };
    void done.then(() => {
      if (this.inflight?.done === done) this.inflight = null;
    });
    return done;
  }

  private async load(): Promise<void> {
    const began = performance.now();
    const settled = idAt(Date.now() - this.options.settleMs);
    try {
      // Where the log stands before the topology is read: what comes after is applied over it.
      const head = (await this.store.listTopologyChanges({}, 1)).changes[0]?.id ?? '';
      const seen = head > settled ? head : settled;
      const preloaded = seen > settled ? await this.store.countTopologyChanges(settled, seen) : 0;
      const summaries = new Map<string, AssetSummary>();
      const relationships: RelationshipRecord[] = [];
      let after: AssetCursor | undefined;
      for (;;) {
        const page = await this.store.listAssets({ filter: {}, sort: { field: 'id', descending: false }, after, limit: LOAD_BATCH });
        if (this.state !== 'loading') return;
        if (summaries.size + page.assets.length > this.options.maxAssets) return this.giveUp(`the twin has more than ${this.options.maxAssets} assets (TOPOLOGY_INDEX_MAX_ASSETS)`);
        for (const { id, kind, name } of page.assets) summaries.set(id, { id, kind: this.intern(kind), name });
        // Read from each relationship's source, every relationship comes once.
        for (const list of (await this.store.relationshipsOf(page.assets.map((a) => a.id), 'OUT')).values()) relationships.push(...list);
        if (!page.hasNextPage) break;
        const last = page.assets[page.assets.length - 1];
        after = { value: last.id, id: last.id };
      }
      if (this.state !== 'loading') return;
      this.clear();
      this.summaries = summaries;
      for (const r of relationships) this.add(r); // each once: no need to look for it first
      this.settled = settled;
      this.seen = this.preloadedUpTo = seen;
      this.preloaded = preloaded;
      this.state = 'ready';
      this.loadMs = Math.round(performance.now() - began);
      this.options.logger?.info({ assets: summaries.size, relationships: this.relationshipCount, ms: this.loadMs }, 'topology index loaded');
    } catch (err) {
      if (this.state !== 'loading') return;
      this.state = 'idle';
      this.retryAt = Date.now() + RETRY_MS;
      this.options.logger?.warn({ err }, 'topology index could not load; reads go to the store until it does');
    }
  }

  private giveUp(reason: string): void {
    this.state = 'off';
    this.clear();
    this.options.logger?.warn({ reason }, 'topology index turned off: reads go to the store');
  }

  private clear(): void {
    this.summaries = new Map();
    this.relationshipCount = 0;
    this.byFrom = new Map();
    this.byTo = new Map();
    this.recent = new Set();
    this.preloaded = 0;
    this.lastOfKey = new Map();
    this.caughtUpFrom = -Infinity;
  }

  /** Apply the changes committed since the last catch-up; false when too far behind to finish now. */
  private async catchUp(): Promise<boolean> {
    const began = Date.now();
    if (this.seen > this.settled) {
      const committed = await this.store.countTopologyChanges(this.settled, this.seen);
      if (committed !== this.recent.size + this.preloaded) {
        // A change committed after others with larger ids: read the unsettled ones again.
        const window = await this.store.topologyChangesAfter(this.settled, this.maxCatchUp + 1, this.seen);
        if (window.length > this.maxCatchUp) return this.reload();
        for (const change of window) if (!this.recent.has(change.id)) this.apply(change);
        this.recent = new Set(window.map((c) => c.id));
        this.preloaded = 0;
      }
    }
    const step = Math.min(SYNC_BATCH, this.maxCatchUp);
    for (let read = 0; ; ) {
      const batch = await this.store.topologyChangesAfter(this.seen, step);
      for (const change of batch) this.apply(change);
      if (batch.length > 0) this.seen = batch[batch.length - 1].id;
      read += batch.length;
      if (batch.length < step) break;
      if (read >= this.maxCatchUp) return this.reload();
    }
    if (this.summaries.size > this.options.maxAssets) {
      this.giveUp(`the twin grew past ${this.options.maxAssets} assets (TOPOLOGY_INDEX_MAX_ASSETS)`);
      return false;
    }
    this.settle(idAt(began - this.options.settleMs));
    return true;
  }

  /** Too much to read again: load afresh in the background. */
  private reload(): boolean {
    this.state = 'idle';
    void this.start();
    return false;
  }

  /** Every change up to `bound` is in: forget what was kept to recognise late ones before it. */
  private settle(bound: string): void {
    if (bound <= this.settled) return;
    // The preloaded changes are known by their count only: the window moves past them at once.
    if (this.preloaded > 0 && bound < this.preloadedUpTo) return;
    this.preloaded = 0;
    this.settled = bound;
    if (this.seen < bound) this.seen = bound;
    for (const id of this.recent) if (id <= bound) this.recent.delete(id);
    for (const [key, id] of this.lastOfKey) if (id <= bound) this.lastOfKey.delete(key);
  }

  private apply(change: TopologyChangeEntry): void {
    this.recent.add(change.id);
    const key = entryKey(change);
    const last = this.lastOfKey.get(key);
    if (last !== undefined && last > change.id) return; // a later change of the same thing is in already
    this.lastOfKey.set(key, change.id);
    if (change.entity === 'ASSET') {
      if (change.after) this.summaries.set(change.assetId, { id: change.assetId, kind: this.intern(change.after.kind), name: change.after.name });
      else this.summaries.delete(change.assetId);
    } else {
      this.remove(change.relationship);
      if (change.after) this.add({ ...change.relationship, properties: change.after.properties });
    }
  }

  private add(r: RelationshipRecord): void {
    // The ends' id strings are the assets' own (one copy of each id, however many relationships).
    const record: RelationshipRecord = {
      from: this.summaries.get(r.from)?.id ?? r.from,
      type: this.intern(r.type),
      to: this.summaries.get(r.to)?.id ?? r.to,
      properties: Object.keys(r.properties).length > 0 ? r.properties : NO_PROPERTIES,
    };
    push(this.byFrom, record.from, record);
    push(this.byTo, record.to, record);
    this.relationshipCount++;
  }

  /** One copy of each kind and relationship type name (a few dozen strings, each used by thousands). */
  private intern(name: string): string {
    let kept = this.names.get(name);
    if (kept === undefined) this.names.set(name, (kept = name));
    return kept;
  }

  private remove(key: RelationshipKey): void {
    const r = this.byFrom.get(key.from)?.find((x) => x.type === key.type && x.to === key.to);
    if (!r) return;
    pull(this.byFrom, r.from, r);
    pull(this.byTo, r.to, r);
    this.relationshipCount--;
  }

  // The reads, as TopologyReader defines them (src/graph/ports/topology-store.ts); call only when current() said true.

  dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): [string, string][] {
    const pairs: [string, string][] = [];
    this.visit(ids, side, types, (id, lookup, r) => pairs.push([id, lookup.idsAt === 'from' ? r.to : r.from]));
    return pairs;
  }

  dependencyEdges(ids: string[], side: DependencySide, types?: string[]): DependencyEdge[] {
    const edges: DependencyEdge[] = [];
    this.visit(ids, side, types, (_, lookup, r) => edges.push({ ...dependencyEnds(lookup, r.from, r.to), relationship: copy(r) }));
    return edges;
  }

  async dependencyNeighboursWithin(ids: string[], side: DependencySide, depth: number, types?: string[], opts?: { summaries?: boolean }): Promise<NeighbourWalk> {
    const walk = await neighboursLevelByLevel(async (frontier) => this.dependencyNeighbours(frontier, side, types), ids, depth);
    if (!opts?.summaries) return walk;
    const summaries = new Map<string, AssetSummary>();
    for (const [, far] of walk.pairs) {
      const summary = this.summaries.get(far);
      if (summary) summaries.set(far, { ...summary });
    }
    return { ...walk, summaries };
  }

  /** As the stores list them: an asset's outgoing relationships first, then its incoming ones, each ordered by (from, type, to). */
  relationshipsOf(ids: string[], direction: Direction, types?: string[], opts?: { properties?: boolean }): Map<string, RelationshipRecord[]> {
    const keep = (r: RelationshipRecord) => !types || types.includes(r.type);
    const shown = (opts?.properties ?? true) ? copy : (r: RelationshipRecord) => ({ ...r, properties: {} });
    const out = new Map<string, RelationshipRecord[]>();
    for (const id of ids) {
      if (out.has(id)) continue;
      const outgoing = direction === 'IN' ? [] : (this.byFrom.get(id) ?? []).filter(keep).sort(byRelationshipKey);
      // A self-loop is one relationship: listed once, as outgoing, when both directions are asked for.
      const incoming = direction === 'OUT' ? [] : (this.byTo.get(id) ?? []).filter((r) => keep(r) && !(direction === 'BOTH' && r.from === id)).sort(byRelationshipKey);
      out.set(id, [...outgoing, ...incoming].map(shown));
    }
    return out;
  }

  getAssetSummaries(ids: string[]): (AssetSummary | null)[] {
    return ids.map((id) => {
      const summary = this.summaries.get(id);
      return summary ? { ...summary } : null;
    });
  }

  existingIds(ids: string[]): Set<string> {
    return new Set(ids.filter((id) => this.summaries.has(id)));
  }

  /** Each dependency relationship one hop from `ids` on `side`, with the lookup that found it. */
  private visit(ids: string[], side: DependencySide, types: string[] | undefined, found: (id: string, lookup: DependencyLookup, r: RelationshipRecord) => void): void {
    const unique = [...new Set(ids)];
    for (const lookup of dependencyLookups(this.model, side, types)) {
      const byEnd = lookup.idsAt === 'from' ? this.byFrom : this.byTo;
      for (const id of unique) for (const r of byEnd.get(id) ?? []) if (lookup.types.includes(r.type)) found(id, lookup, r);
    }
  }
}

/** The properties of every relationship that has none: one frozen object, not 200,000 empty ones. */
const NO_PROPERTIES = Object.freeze({}) as RelationshipRecord['properties'];

/**
 * What a read hands out is a copy (callers stamp `asOf` on what they get); a relationship's
 * properties object is shared, and nobody writes to it.
 */
const copy = (r: RelationshipRecord): RelationshipRecord => ({ ...r });

function push(map: Map<string, RelationshipRecord[]>, id: string, r: RelationshipRecord): void {
  const list = map.get(id);
  if (list) list.push(r);
  else map.set(id, [r]);
}

function pull(map: Map<string, RelationshipRecord[]>, id: string, r: RelationshipRecord): void {
  const list = map.get(id);
  if (!list) return;
  const at = list.indexOf(r);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) map.delete(id);
}

/** The reads TopologyIndex answers, each going to the store when the index cannot. */
const SERVED = ['relationshipsOf', 'dependencyNeighbours', 'dependencyEdges', 'dependencyNeighboursWithin', 'getAssetSummaries', 'existingIds'] as const;
/** Store reads after which the index's reads usually follow (see withTopologyIndex). */
const PREFETCHING = ['listAssets', 'getAssets'] as const;

/**
 * `store` with its topology reads answered by `index` when it is current. `init()` of the
 * result also loads the index and waits for it (the contract suites use that); the API starts
 * it in the background instead (index.start()). `close()` stops the index first.
 */
export function withTopologyIndex(store: GraphStore, index: TopologyIndex): GraphStore {
  const served: Record<string, unknown> = {
    init: async () => {
      await store.init();
      await index.start();
    },
    close: async () => {
      index.stop();
      await store.close();
    },
  };
  for (const name of SERVED) {
    served[name] = async (...args: unknown[]) => {
      checkRequestDeadline(); // as for a store read: none starts past the request's deadline
      const read: object = (await index.current()) ? index : store;
      return Reflect.apply(Reflect.get(read, name) as (...a: unknown[]) => unknown, read, args);
    };
  }
  // Assets read whole usually have their relationships or walks read next (a dashboard page, an
  // asset's view): the index starts catching up alongside, one round trip in parallel with the
  // read instead of another after it. Shared as every catch-up is; unused, it is one cheap read.
  for (const name of PREFETCHING) {
    served[name] = (...args: unknown[]) => {
      void index.current();
      return Reflect.apply(store[name] as (...a: unknown[]) => unknown, store, args);
    };
  }
  // The writes it must catch up past: every write of the topology port (port-methods.ts says which).
  for (const name of TOPOLOGY_WRITES) {
    served[name] = async (...args: unknown[]) => {
      try {
        return await Reflect.apply(store[name] as (...a: unknown[]) => unknown, store, args);
      } finally {
        index.noteWrite(); // even a failed write may have committed before its answer was lost
      }
    };
  }
  return new Proxy(store, { get: (target, prop, receiver) => (typeof prop === 'string' && prop in served ? served[prop] : Reflect.get(target, prop, receiver)) });
}

/** How far apart the clocks of the processes writing one store may be (the index allows for it). */
const CLOCK_SKEW_MS = 5_000;

/**
 * `store` with a topology index of its own, loading in the background (reads go to the store
 * until it is loaded): the API's, and the scenario processor's (the in-process runner's thread,
 * each worker), whose jobs would otherwise walk the store for every snapshot.
 */
export function indexTopology(
  store: GraphStore,
  model: ModelIndex,
  config: Pick<Config, 'topologyIndexMaxAssets' | 'queryTimeoutMs'>,
  logger?: Logger,
): { store: GraphStore; index: TopologyIndex } {
  const index = new TopologyIndex(store, model, { maxAssets: config.topologyIndexMaxAssets, settleMs: config.queryTimeoutMs + CLOCK_SKEW_MS, logger });
  void index.start();
  return { store: withTopologyIndex(store, index), index };
}
