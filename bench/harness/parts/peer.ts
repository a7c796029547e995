import type { GraphStore } from '../../../src/graph/graph-store';
import { reachable } from '../../../src/graph/traversal';
import type { RelationshipRecord } from '../../../src/graph/types';
import type { BenchContext } from '../context';
import { graphql } from '../http-client';
import { startPeerServer, type PeerServer } from '../peer/start-peer';
import { DEPENDENTS_STATEMENT, PEER_DEPENDENCY_TYPES, PEER_RELATIONSHIPS, PEER_TYPE_DEFS } from '../peer/type-defs';
import type { LatencyRow, Row } from '../report';
import { round, type MeasureOptions } from '../stats';
import { measureFloor, measureHttp, warmUp } from './measure-paths';
import { dashboardCase, dependentsCase, DEPENDENTS_QUERY, MAX_DEPTH, PAGE_SIZE, PAGES } from './queries';

/**
 * The peer: the API against a GraphQL server built with @neo4j/graphql 7 (bench/harness/peer/)
 * over the same Neo4j database, and against the store floor, in one run. Three cases, each first
 * checked to return the same ids on all three paths (the run fails otherwise), then measured at
 * c=1 with the harness's warm-up:
 *   (a) the dashboard page: 100 assets (id kind name status version) with their relationships'
 *       endpoint ids, over the 50 pages of part (a), in turn;
 *   (b) dependents at depth 10 of the first UPS;
 *   one asset by id with its direct relationships (both directions, endpoint ids), over the first
 *       asset of each of those 50 pages, in turn.
 * The API's queries select what the peer's do (no state, no updatedAt), so both answer the same
 * question; the floors are part (a)'s and (b)'s (queries.ts), plus getAssets + relationshipsOf.
 */

/** The API's dashboard page with the peer's selection (part (a)'s query also selects state and updatedAt). */
const OURS_DASHBOARD = `query Dashboard($after: String) {
  assets(first: ${PAGE_SIZE}, after: $after) {
    edges { node { id kind name status version relationships { type from { id } to { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const OURS_ASSET = `query OneAsset($id: ID!) {
  asset(id: $id) { id kind name status version relationships { type from { id } to { id } } }
}`;

/** The peer's relationship fields, endpoint ids only: one field per relationship type and direction. */
const PEER_RELATIONSHIP_SELECTION = PEER_RELATIONSHIPS.map((r) => `${r.out} { id } ${r.in} { id }`).join('\n      ');

/**
 * The library documents two ways to page: offset-based (`limit`, `offset`) and cursor-based (a
 * Relay connection, whose cursors are offsets too). Neither is keyset: `ID` has no `gt` filter.
 * The offset form is measured; the connection form is tried as well (see CONNECTION_NOTE).
 */
const PEER_DASHBOARD = `query PeerDashboard($offset: Int) {
  assets(limit: ${PAGE_SIZE}, offset: $offset, sort: [{ id: ASC }]) { id kind name status version
    ${PEER_RELATIONSHIP_SELECTION} }
}`;

const PEER_DASHBOARD_CONNECTION = `query PeerDashboardConnection($after: String) {
  assetsConnection(first: ${PAGE_SIZE}, after: $after, sort: [{ id: ASC }]) {
    edges { node { id kind name status version
      ${PEER_RELATIONSHIP_SELECTION} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * What the connection form costs: its Cypher collects every asset into one list (for
 * totalCount, selected or not), unwinds it, and sorts with `WITH *`, so every row the sort keeps
 * carries that list; Neo4j's memory tracking counts the list per kept row (SKIP + LIMIT rows),
 * and on the 10k twin a page past the first few exceeds the transaction memory pool the bench's
 * Neo4j runs with (256 MiB, neo4j-local) with MemoryPoolOutOfMemoryError.
 */
const CONNECTION_NOTE = 'the connection form (assetsConnection) collects every asset and sorts rows that each carry that list (see parts/peer.ts)';

const PEER_DEPENDENTS = `query PeerDependents($id: ID!) {
  assets(where: { id: { eq: $id } }) { id dependents { id kind } }
}`;

const PEER_ASSET = `query PeerOneAsset($id: ID!) {
  assets(where: { id: { eq: $id } }) { id kind name status version
    ${PEER_RELATIONSHIP_SELECTION} }
}`;

/** The library's connection cursors are offsets (graphql-relay's arrayconnection cursors). */
const offsetCursor = (offset: number) => Buffer.from(`arrayconnection:${offset}`).toString('base64');

type Vars = (i: number) => Record<string, unknown>;

interface PeerCase {
  /** Goal key: `a` and `b` carry goals, `asset` none. */
  key: 'a' | 'b' | 'asset';
  operation: string;
  variants: number;
  ours: { query: string; variables: Vars; ids: (data: any) => string[] };
  peer: { query: string; variables: Vars; ids: (data: any) => string[] };
  /** Another way the peer answers the same request, measured when every variant of it succeeds. */
  alternative?: { label: string; query: string; variables: Vars; ids: (data: any) => string[]; note: string };
  /** The floor's ids, from the same store calls the measured floor makes. */
  floorIds: (store: GraphStore, i: number) => Promise<string[]>;
  /** The measured floor (the store calls the API's resolvers make). */
  floor: (store: GraphStore, i: number) => Promise<unknown>;
  itemName: string;
}

const relKey = (r: { type: string; from: string; to: string }) => `${r.type} ${r.from}->${r.to}`;

/** One line per asset: its id, then its relationships (type from->to), sorted. */
function assetLine(id: string, rels: { type: string; from: string; to: string }[]): string {
  return `${id}: ${rels.map(relKey).sort().join(', ')}`;
}

function oursAssetLine(node: { id: string; relationships: { type: string; from: { id: string }; to: { id: string } }[] }): string {
  return assetLine(node.id, node.relationships.map((r) => ({ type: r.type, from: r.from.id, to: r.to.id })));
}

function peerAssetLine(node: Record<string, any>): string {
  const rels: { type: string; from: string; to: string }[] = [];
  for (const r of PEER_RELATIONSHIPS) {
    for (const other of node[r.out] as { id: string }[]) rels.push({ type: r.type, from: node.id, to: other.id });
    for (const other of node[r.in] as { id: string }[]) rels.push({ type: r.type, from: other.id, to: node.id });
  }
  return assetLine(node.id, rels);
}

/** How many relationships an asset line lists. */
const relationshipCount = (line: string) => (line.endsWith(': ') ? 0 : line.split(', ').length);

function floorAssetLine(id: string, rels: Map<string, RelationshipRecord[]>): string {
  return assetLine(id, rels.get(id) ?? []);
}

function onlyAsset(data: { assets: Record<string, any>[] }, what: string): Record<string, any> {
  if (data.assets.length !== 1) throw new Error(`peer: ${what} matched ${data.assets.length} assets, expected 1`);
  return data.assets[0];
}

function cases(ctx: BenchContext): PeerCase[] {
  const { ids } = ctx.facts;
  // Part (a)'s pages: page p starts at ids[p * step] (queries.ts dashboardCase).
  const step = Math.max(1, Math.floor((ids.length - PAGE_SIZE) / PAGES));
  const start = (i: number) => (i % PAGES) * step;
  const dashboard = dashboardCase(ctx);
  const dependents = dependentsCase(ctx);
  const ups = ctx.facts.ups[0];
  const oneAsset = (i: number) => ids[start(i)];
  return [
    {
      key: 'a',
      operation: `(a) dashboard: ${PAGE_SIZE} assets + relationships (endpoint ids), ${PAGES} pages`,
      variants: PAGES,
      ours: { query: OURS_DASHBOARD, variables: dashboard.variables, ids: (data) => data.assets.edges.map((e: any) => oursAssetLine(e.node)) },
      peer: { query: PEER_DASHBOARD, variables: (i) => ({ offset: start(i) }), ids: (data) => data.assets.map(peerAssetLine) },
      alternative: {
        label: 'assetsConnection',
        query: PEER_DASHBOARD_CONNECTION,
        variables: (i) => ({ after: start(i) === 0 ? null : offsetCursor(start(i) - 1) }),
        ids: (data) => data.assetsConnection.edges.map((e: any) => peerAssetLine(e.node)),
        note: CONNECTION_NOTE,
      },
      async floorIds(store, i) {
        const page = await store.listAssets({ filter: {}, sort: { field: 'id', descending: false }, after: i % PAGES === 0 ? undefined : { value: ids[start(i) - 1], id: ids[start(i) - 1] }, limit: PAGE_SIZE });
        const rels = await store.relationshipsOf(page.assets.map((a) => a.id), 'BOTH', undefined, { properties: false });
        return page.assets.map((a) => floorAssetLine(a.id, rels));
      },
      floor: dashboard.floor,
      itemName: 'assets',
    },
    {
      key: 'b',
      operation: `(b) dependents(maxDepth: ${MAX_DEPTH}) of ${ups}`,
      variants: 1,
      ours: { query: DEPENDENTS_QUERY, variables: dependents.variables, ids: (data) => data.asset.dependents.map((h: any) => h.asset.id).sort() },
      peer: { query: PEER_DEPENDENTS, variables: () => ({ id: ups }), ids: (data) => onlyAsset(data, ups).dependents.map((a: any) => a.id).sort() },
      async floorIds(store) {
        return ((await reachable(store, [ups], 'DOWNSTREAM', { maxDepth: MAX_DEPTH })).get(ups) ?? []).map((h) => h.id).sort();
      },
      floor: dependents.floor,
      itemName: 'dependents',
    },
    {
      key: 'asset',
      operation: `one asset + relationships (endpoint ids), ${PAGES} assets in turn`,
      variants: PAGES,
      ours: { query: OURS_ASSET, variables: (i) => ({ id: oneAsset(i) }), ids: (data) => [oursAssetLine(data.asset)] },
      peer: { query: PEER_ASSET, variables: (i) => ({ id: oneAsset(i) }), ids: (data) => [peerAssetLine(onlyAsset(data, 'the id filter'))] },
      floorIds: async (store, i) => {
        const id = oneAsset(i);
        await store.getAssets([id]);
        return [floorAssetLine(id, await store.relationshipsOf([id], 'BOTH', undefined, { properties: false }))];
      },
      async floor(store, i) {
        // Query.asset: getAssets; Asset.relationships: relationshipsOf (BOTH); endpoints select only ids.
        const id = oneAsset(i);
        const [asset] = await store.getAssets([id]);
        const rels = await store.relationshipsOf([id], 'BOTH', undefined, { properties: false });
        return asset ? (rels.get(id)?.length ?? 0) : -1;
      },
      itemName: 'relationships',
    },
  ];
}

/** The peer's type definitions must cover the model the bench loaded, or its answers would differ for a reason the bench does not measure. */
function checkModel(ctx: BenchContext): void {
  const covered = new Set<string>(PEER_RELATIONSHIPS.map((r) => r.type));
  const missing = ctx.model.model.relationshipTypes.map((t) => t.name).filter((t) => !covered.has(t));
  const same = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();
  if (missing.length) throw new Error(`peer: the model has relationship types the peer's type definitions lack: ${missing.join(', ')}`);
  if (!same(ctx.model.forwardTypes, PEER_DEPENDENCY_TYPES.forward) || !same(ctx.model.reverseTypes, PEER_DEPENDENCY_TYPES.reverse)) {
    throw new Error(`peer: the model's dependency types (FORWARD ${ctx.model.forwardTypes.join('|')}, REVERSE ${ctx.model.reverseTypes.join('|')}) differ from the peer's dependents statement`);
  }
}

function firstDifference(a: string[], b: string[]): string {
  if (a.length !== b.length) return `${a.length} vs ${b.length} items`;
  const i = a.findIndex((x, k) => x !== b[k]);
  return `item ${i}: "${a[i]?.slice(0, 300)}" vs "${b[i]?.slice(0, 300)}"`;
}

export async function runPeerPart(ctx: BenchContext): Promise<void> {
  const { report, options } = ctx;
  if (options.store !== 'neo4j') throw new Error('part peer needs --store neo4j (the peer reads the same Neo4j database)');
  checkModel(ctx);
  process.stderr.write('peer: starting the @neo4j/graphql server ...\n');
  let peer: PeerServer | null = await startPeerServer({ env: ctx.serverEnv, label: 'peer', nodeFlags: ctx.nodeFlags('peer') });
  const peerPath = `peer (@neo4j/graphql ${peer.version})`;
  try {
    const summary: Row[] = [];
    const details: Record<string, unknown> = {};
    // Both servers' requests and the floor's store calls, equally often, before anything is measured.
    await warmUp(ctx, 'peer', cases(ctx).flatMap((c) => [
      (round: number) => graphql(ctx.client, ctx.server.url, c.ours.query, c.ours.variables(round)),
      (round: number) => graphql(ctx.client, peer!.url, c.peer.query, c.peer.variables(round)),
      (round: number) => c.floor(ctx.store, round),
    ]));
    for (const c of cases(ctx)) {
      process.stderr.write(`(peer) ${c.operation}\n`);

      // Same ids on all three paths, for every variant, or no numbers.
      const items: number[] = [];
      const bytes = { ours: 0, peer: 0 };
      for (let v = 0; v < c.variants; v++) {
        const ours = await graphql(ctx.client, ctx.server.url, c.ours.query, c.ours.variables(v));
        const theirs = await graphql(ctx.client, peer.url, c.peer.query, c.peer.variables(v));
        const floorIds = await c.floorIds(ctx.store, v);
        const oursIds = c.ours.ids(ours.data);
        const peerIds = c.peer.ids(theirs.data);
        if (floorIds.length === 0) throw new Error(`(peer) ${c.operation}, variant ${v}: the floor found nothing`);
        if (oursIds.join('\n') !== floorIds.join('\n')) throw new Error(`(peer) ${c.operation}, variant ${v}: the API and the floor differ, ${firstDifference(oursIds, floorIds)}`);
        if (peerIds.join('\n') !== floorIds.join('\n')) throw new Error(`(peer) ${c.operation}, variant ${v}: the peer and the floor differ, ${firstDifference(peerIds, floorIds)}`);
        items.push(c.key === 'asset' ? relationshipCount(floorIds[0]) : floorIds.length);
        bytes.ours += ours.bytes;
        bytes.peer += theirs.bytes;
      }
      const avgItems = Math.round(items.reduce((a, b) => a + b, 0) / items.length);
      const avg = c.variants > 1 ? 'avg ' : '';
      process.stderr.write(`  ids match: API, peer and floor (${c.variants} ${c.variants > 1 ? 'requests' : 'request'}, ${avg}${avgItems} ${c.itemName})\n`);

      const { stats: floor, calls: floorCalls } = await measureFloor(ctx, c.floor);
      const httpRun = (url: string, query: string, variables: Vars, extra: Partial<MeasureOptions> = {}, metered = false) =>
        measureHttp(ctx, url, (i) => ({ query, variables: variables(i) }), { metered, extra });
      const ours = await httpRun(ctx.server.url, c.ours.query, c.ours.variables, {}, true);
      // At least 10 measured calls instead of 30, in case the peer is slow (warm-up stays bounded by 4× warmupMs).
      const theirs = await httpRun(peer.url, c.peer.query, c.peer.variables, { minCalls: 10 });
      const rows: LatencyRow[] = [
        { part: 'peer', operation: c.operation, path: 'store floor', stats: floor, storeCalls: floorCalls },
        { part: 'peer', operation: c.operation, path: 'API', stats: ours.stats, storeCalls: ours.calls, note: `${avg}${avgItems} ${c.itemName}, ${avg}${Math.round(bytes.ours / c.variants / 1024)} KB` },
        { part: 'peer', operation: c.operation, path: peerPath, stats: theirs.stats, storeCalls: '1 Cypher statement', note: `${avg}${Math.round(bytes.peer / c.variants / 1024)} KB` },
      ];
      for (const row of rows) report.addLatency(row);
      summary.push({
        operation: c.operation,
        'floor p50': round(floor.p50, 2),
        'floor p95': round(floor.p95, 2),
        'API p50': round(ours.stats.p50, 2),
        'API p95': round(ours.stats.p95, 2),
        'peer p50': round(theirs.stats.p50, 2),
        'peer p95': round(theirs.stats.p95, 2),
        'API/peer p50': round(ours.stats.p50 / theirs.stats.p50, 2),
        'API/peer p95': round(ours.stats.p95 / theirs.stats.p95, 2),
        'API/floor p95': round(ours.stats.p95 / floor.p95, 2),
        'peer/floor p95': round(theirs.stats.p95 / floor.p95, 2),
      });
      let alternative: Record<string, unknown> | undefined;
      if (c.alternative) {
        const alt = c.alternative;
        const altPath = `${peerPath}, ${alt.label}`;
        let failure: string | null = null;
        for (let v = 0; v < c.variants && !failure; v++) {
          try {
            const reply = await graphql(ctx.client, peer.url, alt.query, alt.variables(v));
            const altIds = alt.ids(reply.data);
            const floorIds = await c.floorIds(ctx.store, v);
            if (altIds.join('\n') !== floorIds.join('\n')) throw new Error(`(peer) ${c.operation}, ${alt.label}, variant ${v}: the peer and the floor differ, ${firstDifference(altIds, floorIds)}`);
          } catch (err) {
            if (!(err instanceof Error) || !err.message.startsWith('GraphQL error')) throw err;
            failure = `variant ${v} (${JSON.stringify(alt.variables(v))}): ${err.message.replace(/^GraphQL error \(HTTP \d+\) from \S+: /, '').slice(0, 300)}`;
          }
        }
        if (failure) {
          process.stderr.write(`  ${altPath}: failed, not measured: ${failure}\n`);
          report.notes.push(`(peer) ${c.operation}: ${altPath} failed at ${failure}; ${alt.note}.`);
          alternative = { label: alt.label, query: alt.query, failed: failure };
        } else {
          process.stderr.write(`  ids match: ${altPath}\n`);
          const stats = (await httpRun(peer.url, alt.query, alt.variables, { minCalls: 10 })).stats;
          report.addLatency({ part: 'peer', operation: c.operation, path: altPath, stats, storeCalls: '1 Cypher statement', note: alt.note });
          summary.push({ operation: `${c.operation}, peer via ${alt.label}`, 'API p50': round(ours.stats.p50, 2), 'API p95': round(ours.stats.p95, 2), 'peer p50': round(stats.p50, 2), 'peer p95': round(stats.p95, 2), 'API/peer p50': round(ours.stats.p50 / stats.p50, 2), 'API/peer p95': round(ours.stats.p95 / stats.p95, 2), 'peer/floor p95': round(stats.p95 / floor.p95, 2) });
          alternative = { label: alt.label, query: alt.query, stats };
        }
      }
      details[c.key] = { operation: c.operation, variants: c.variants, itemName: c.itemName, itemsPerVariant: items, queries: { api: c.ours.query, peer: c.peer.query }, variables: { api: c.ours.variables(1 % c.variants), peer: c.peer.variables(1 % c.variants) }, idsMatched: true, floor, api: ours.stats, peer: theirs.stats, alternative };
    }
    report.meta.peer = { library: '@neo4j/graphql', version: peer.version, path: peerPath };
    report.addSection('peer', `Peer: the API vs ${peerPath} vs the store floor, same Neo4j, c=1, ms (ids checked equal on all three first)`, summary, {
      library: '@neo4j/graphql',
      version: peer.version,
      typeDefs: PEER_TYPE_DEFS,
      dependentsStatement: DEPENDENTS_STATEMENT,
      cases: details,
    });
  } finally {
    await peer?.stop();
    peer = null;
  }
}
