import type { GraphStore } from '../../../src/graph/graph-store';
import { loadImpactEdges, reachable } from '../../../src/graph/traversal';
import type { AssetCursor } from '../../../src/graph/types';
import { encodeCursor } from '../../../src/resolvers/paging';
import { computeImpact } from '../../../src/sim/impact';
import type { BenchContext } from '../context';
import { graphql } from '../http-client';
import type { LatencyRow, Row } from '../report';
import { percentile, round, type LatencyStats, type MeasureOptions } from '../stats';
import { measureFloor, measureHttp, warmUp } from './measure-paths';

/**
 * (a) dashboard page, (b) dependents of a UPS at depth 10, (c) impact of a UPS plus a PDU: each
 * through the API (HTTP, with DataLoader), through the store directly (the floor: the same store
 * calls the resolvers make, with no GraphQL or HTTP) and through the naive resolvers (HTTP, no
 * DataLoader). The API is also run with several requests in flight for throughput.
 */

export const PAGE_SIZE = 100;
/** Pages spread evenly over the id order, visited in turn: a mix of kinds as in the twin. */
export const PAGES = 50;
export const MAX_DEPTH = 10;

export const DASHBOARD_QUERY = `query Dashboard($after: String) {
  assets(first: ${PAGE_SIZE}, after: $after) {
    edges { node { id kind name status state version updatedAt
      relationships { type from { id } to { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const DEPENDENTS_QUERY = `query Dependents($id: ID!) {
  asset(id: $id) { id dependents(maxDepth: ${MAX_DEPTH}) { depth asset { id kind } } }
}`;

export const IMPACT_QUERY = `query Impact($failed: [ID!]!) {
  impact(failed: $failed, maxDepth: ${MAX_DEPTH}) {
    failed
    down { depth cause asset { id kind } }
    atRisk { depth cause asset { id kind } }
  }
}`;

export interface QueryCase {
  part: 'a' | 'b' | 'c';
  operation: string;
  query: string;
  variables: (i: number) => Record<string, unknown>;
  /** The store calls the API's resolvers make for the same request; returns the item count for a sanity check. */
  floor: (store: GraphStore, i: number) => Promise<number>;
  /** The same item count from the API's answer. */
  count: (data: any) => number;
  countName: string;
  /** Distinct requests the case cycles through (pages), and a label grouping them for a breakdown. */
  variants: number;
  group?: (i: number) => string;
}

export function dashboardCase(ctx: BenchContext): QueryCase {
  const { ids } = ctx.facts;
  // Cursor of the asset just before each page (undefined: the first page).
  const step = Math.max(1, Math.floor((ids.length - PAGE_SIZE) / PAGES));
  const cursors: (AssetCursor | undefined)[] = Array.from({ length: PAGES }, (_, p) => (p === 0 ? undefined : { value: ids[p * step - 1], id: ids[p * step - 1] }));
  const after = (i: number) => cursors[i % PAGES];
  return {
    part: 'a',
    operation: `dashboard: ${PAGE_SIZE} assets + state + relationships (endpoint ids)`,
    query: DASHBOARD_QUERY,
    variables: (i) => {
      const c = after(i);
      return { after: c ? encodeCursor([c.value, c.id]) : null };
    },
    async floor(store, i) {
      // Query.assets: listAssets; Asset.relationships: one relationshipsOf for the page (DataLoader),
      // without properties: the query does not select them.
      // Relationship.from/to select only ids, which the relationships carry: nothing more is loaded.
      const page = await store.listAssets({ filter: {}, sort: { field: 'id', descending: false }, after: after(i), limit: PAGE_SIZE });
      const rels = await store.relationshipsOf(page.assets.map((a) => a.id), 'BOTH', undefined, { properties: false });
      let count = 0;
      for (const list of rels.values()) count += list.length;
      return count;
    },
    count: (data) => data.assets.edges.reduce((n: number, e: any) => n + e.node.relationships.length, 0),
    countName: 'relationships',
    variants: PAGES,
    // The kind of the page's first asset: pages of racks carry ~16 relationships per asset, servers ~3.5.
    group: (i) => {
      const start = i % PAGES === 0 ? 0 : (i % PAGES) * step;
      return ctx.facts.kindOf.get(ids[start]) ?? '?';
    },
  };
}

export function dependentsCase(ctx: BenchContext): QueryCase {
  const ups = ctx.facts.ups[0];
  return {
    part: 'b',
    operation: `dependents(maxDepth: ${MAX_DEPTH}) of ${ups}`,
    query: DEPENDENTS_QUERY,
    variables: () => ({ id: ups }),
    async floor(store) {
      // Query.asset: getAssets; Asset.dependents: reachable (one dependencyNeighboursWithin, which
      // on Neo4j brings the hops' summaries), then one getAssetSummaries for the hops without one
      // (the query selects only id and kind of them).
      await store.getAssets([ups]);
      const hops = (await reachable(store, [ups], 'DOWNSTREAM', { maxDepth: MAX_DEPTH, summaries: true })).get(ups) ?? [];
      const missing = hops.filter((h) => !h.summary).map((h) => h.id);
      if (missing.length) await store.getAssetSummaries(missing);
      return hops.length;
    },
    count: (data) => data.asset.dependents.length,
    countName: 'dependents',
    variants: 1,
  };
}

/** UPS A of hall 1 and PDU B of row 2 (fed by UPS B): row 2's racks lose both feeds. */
export const impactFailed = (ctx: BenchContext): string[] => [ctx.facts.ups[0], ctx.facts.pdus.find((id) => id.endsWith('-b') && id.includes('r0002')) ?? ctx.facts.pdus[1]];

function impactCase(ctx: BenchContext): QueryCase {
  const failed = impactFailed(ctx);
  return {
    part: 'c',
    operation: `impact of ${failed.join(' + ')}`,
    query: IMPACT_QUERY,
    variables: () => ({ failed }),
    async floor(store) {
      // Query.impact: existingIds (requireAssets), loadImpactEdges, computeImpact; ImpactedAsset.asset: one getAssets.
      await store.existingIds(failed);
      const result = computeImpact(await loadImpactEdges(store, failed, { maxDepth: MAX_DEPTH }), failed);
      const entries = [...result.down, ...result.atRisk];
      if (entries.length) await store.getAssets(entries.map((e) => e.id));
      return entries.length;
    },
    count: (data) => data.impact.down.length + data.impact.atRisk.length,
    countName: 'down + atRisk',
    variants: 1,
  };
}

export async function runQueryParts(ctx: BenchContext): Promise<void> {
  const { report, options } = ctx;
  const cases = [dashboardCase(ctx), dependentsCase(ctx), impactCase(ctx)].filter((c) => options.parts.includes(c.part));
  const details: Record<string, unknown> = {};
  await warmUp(ctx, 'queries', cases.flatMap((c) => [
    (round: number) => graphql(ctx.client, ctx.server.url, c.query, c.variables(round)),
    (round: number) => c.floor(ctx.store, round),
  ]));
  for (const c of cases) {
    process.stderr.write(`(${c.part}) ${c.operation}\n`);
    const rows: LatencyRow[] = [];

    // Sanity: the API and the floor see the same data, for every variant (page).
    const counts: number[] = [];
    const sizes: number[] = [];
    for (let v = 0; v < c.variants; v++) {
      const probe = await graphql(ctx.client, ctx.server.url, c.query, c.variables(v));
      const apiCount = c.count(probe.data);
      const floorCount = await c.floor(ctx.store, v);
      if (apiCount !== floorCount) throw new Error(`(${c.part}) variant ${v}: API returned ${apiCount} ${c.countName}, the floor ${floorCount}`);
      counts.push(apiCount);
      sizes.push(probe.bytes);
    }
    const apiCount = Math.round(counts.reduce((a, b) => a + b, 0) / counts.length);
    const probe = { bytes: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) };
    const byVariant = new Map<string, { floor: number[]; api: number[] }>();
    const sample = (which: 'floor' | 'api') => (i: number, ms: number) => {
      const key = String(i % c.variants);
      const entry = byVariant.get(key) ?? { floor: [], api: [] };
      entry[which].push(ms);
      byVariant.set(key, entry);
    };

    // Floor: the store calls, in this process, on the floor's own connection.
    const { stats: floor, calls: floorCalls } = await measureFloor(ctx, c.floor, sample('floor'));
    rows.push({ part: c.part, operation: c.operation, path: 'store floor', stats: floor, storeCalls: floorCalls });

    const http = (url: string, concurrency: number, extra: Partial<MeasureOptions> = {}, onSample?: (i: number, ms: number) => void) =>
      measureHttp(ctx, url, (i) => ({ query: c.query, variables: c.variables(i) }), { metered: true, concurrency, extra, onSample });

    const api = await http(ctx.server.url, 1, {}, sample('api'));
    const avg = c.variants > 1 ? 'avg ' : '';
    rows.push({ part: c.part, operation: c.operation, path: 'API', stats: api.stats, storeCalls: api.calls, note: `${avg}${apiCount} ${c.countName}, ${avg}${Math.round(probe.bytes / 1024)} KB` });
    const apiLoaded = await http(ctx.server.url, options.concurrency, { warmupCalls: 5, warmupMs: 300 });
    rows.push({ part: c.part, operation: c.operation, path: 'API', stats: apiLoaded.stats, storeCalls: apiLoaded.calls, note: 'throughput run' });
    let naive: LatencyStats | undefined;
    if (!options.skipNaive) {
      const n = await http(ctx.server.naiveUrl, 1, { warmupCalls: 3, warmupMs: 300, minCalls: 10 });
      naive = n.stats;
      rows.push({ part: c.part, operation: c.operation, path: 'naive (no DataLoader)', stats: n.stats, storeCalls: n.calls });
    }
    for (const row of rows) report.addLatency(row);

    report.ratios.push({
      part: c.part,
      operation: c.operation,
      'API/floor p50': round(api.stats.p50 / floor.p50, 2),
      'API/floor p95': round(api.stats.p95 / floor.p95, 2),
      'naive/API p50': naive ? round(naive.p50 / api.stats.p50, 2) : null,
      'naive/API p95': naive ? round(naive.p95 / api.stats.p95, 2) : null,
      [`API ops/s c=${options.concurrency}`]: round(apiLoaded.stats.throughput, 1),
    });
    let groups: Row[] | undefined;
    if (c.group) {
      // Breakdown by the kind of asset the page starts with (from the measured samples above).
      const median = (xs: number[]) => percentile([...xs].sort((x, y) => x - y), 50);
      const byGroup = new Map<string, { pages: number; items: number; floor: number[]; api: number[] }>();
      for (let v = 0; v < c.variants; v++) {
        const g = byGroup.get(c.group(v)) ?? { pages: 0, items: 0, floor: [], api: [] };
        const samples = byVariant.get(String(v));
        g.pages++;
        g.items += counts[v];
        if (samples) {
          g.floor.push(...samples.floor);
          g.api.push(...samples.api);
        }
        byGroup.set(c.group(v), g);
      }
      groups = [...byGroup].map(([group, g]) => ({
        'pages starting with': group,
        pages: g.pages,
        [`avg ${c.countName}`]: Math.round(g.items / g.pages),
        'floor p50 ms': round(median(g.floor), 2),
        'API p50 ms': round(median(g.api), 2),
        'API/floor p50': round(median(g.api) / median(g.floor), 2),
      }));
      report.addSection(`${c.part}-groups`, `(${c.part}) ${c.operation}: by page (c=1 samples above)`, groups);
    }
    details[c.part] = { operation: c.operation, query: c.query, variables: c.variables(0), variants: c.variants, itemsPerVariant: counts, itemName: c.countName, avgResponseBytes: probe.bytes, floor, api: api.stats, apiLoaded: apiLoaded.stats, naive, groups };
  }
  report.addSection('queries', 'Query details', cases.map((c) => {
    const d = details[c.part] as { itemsPerVariant: number[]; itemName: string; avgResponseBytes: number; variants: number };
    const items = d.itemsPerVariant;
    return {
      part: c.part,
      operation: c.operation,
      requests: d.variants > 1 ? `${d.variants} pages in turn` : 'one',
      items: d.variants > 1 ? `${Math.min(...items)}-${Math.max(...items)} ${d.itemName} (avg ${Math.round(items.reduce((a, b) => a + b, 0) / items.length)})` : `${items[0]} ${d.itemName}`,
      'avg response KB': round(d.avgResponseBytes / 1024, 1),
    };
  }), details);
}
