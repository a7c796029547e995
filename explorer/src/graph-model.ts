/**
 * What the graph shows, apart from how it is drawn: assets (nodes) and their relationships
 * (edges), with each dependency edge oriented from supplier to consumer whatever its stored
 * direction (RUNS_ON is stored service → server but drawn server → service), and the redundancy
 * group it belongs to. Loading goes through the API in bounded batches (operations.ts).
 */
import type { Api } from './api';
import {
  ASSET_BATCH,
  ASSET_SUMMARIES,
  ASSETS_WITH_RELATIONSHIPS,
  MAX_GRAPH_NODES,
  NEIGHBOURHOOD,
  type AssetSummariesData,
  type AssetsWithRelationshipsData,
  type AssetSummary,
  type DependencyDirection,
  type NeighbourhoodData,
  type RelationshipEnds,
} from './operations';

/** root: the asset the neighbourhood is of; member: within the chosen depth (or added, e.g. by an impact); context: outside it, shown to complete a redundancy group. */
export type NodeRole = 'root' | 'member' | 'context';

export interface GraphNode extends AssetSummary {
  role: NodeRole;
  /** Dependency hops from the root: negative upstream (suppliers), positive downstream. */
  hops?: number;
  /** When `freshness` was read (ms since the epoch), so it can be aged on screen. */
  readAt: number;
  /** Latest state values, when a live event brought them. */
  state?: Record<string, unknown>;
}

export interface GraphEdge {
  /** `from|TYPE|to` as stored. */
  key: string;
  type: string;
  from: string;
  to: string;
  dependency: DependencyDirection;
  /** For dependency edges: who supplies whom (drawn as supplier → consumer). */
  supplier: string;
  consumer: string;
  redundancyGroup?: string;
  minLive: number;
}

export class GraphModel {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  /** Relationships of every asset loaded with them, including those to assets not shown. */
  private readonly relationships = new Map<string, GraphEdge[]>();
  rootId: string | undefined;
  depth = 1;
  /** Set when the neighbourhood had more assets than are shown. */
  truncated: { shown: number; total: number } | undefined;

  constructor(private readonly types: ReadonlyMap<string, DependencyDirection>) {}

  edgeOf(r: RelationshipEnds): GraphEdge {
    const dependency = this.types.get(r.type) ?? 'NONE';
    const props = (r.properties ?? {}) as Record<string, unknown>;
    const [supplier, consumer] = dependency === 'REVERSE' ? [r.to.id, r.from.id] : [r.from.id, r.to.id];
    return {
      key: `${r.from.id}|${r.type}|${r.to.id}`,
      type: r.type,
      from: r.from.id,
      to: r.to.id,
      dependency,
      supplier,
      consumer,
      redundancyGroup: typeof props.redundancyGroup === 'string' ? props.redundancyGroup : undefined,
      minLive: typeof props.minLive === 'number' ? props.minLive : 1,
    };
  }

  addNode(a: AssetSummary, role: NodeRole, hops?: number): void {
    const existing = this.nodes.get(a.id);
    // A node keeps its strongest role: root over member over context.
    const rank = { root: 0, member: 1, context: 2 } as const;
    const keepRole = existing && rank[existing.role] < rank[role] ? existing.role : role;
    this.nodes.set(a.id, { ...existing, ...a, role: keepRole, hops: existing?.hops ?? hops, readAt: Date.now() });
  }

  setRelationships(id: string, rels: RelationshipEnds[]): void {
    this.relationships.set(id, rels.map((r) => this.edgeOf(r)));
  }

  /** Add every known relationship whose two ends are both shown. */
  connect(): void {
    for (const rels of this.relationships.values()) {
      for (const e of rels) if (this.nodes.has(e.from) && this.nodes.has(e.to)) this.edges.set(e.key, e);
    }
  }

  /**
   * Suppliers not shown that share a redundancy group with a shown supplier of a shown consumer
   * (the B PDU beside the A PDU): without them a group would look like a single supply.
   */
  redundancyPartners(): string[] {
    const missing = new Set<string>();
    for (const [consumer, rels] of this.relationships) {
      if (!this.nodes.has(consumer)) continue;
      const groups = new Map<string, GraphEdge[]>();
      for (const e of rels) {
        if (e.dependency === 'NONE' || e.consumer !== consumer || !e.redundancyGroup) continue;
        groups.set(e.redundancyGroup, [...(groups.get(e.redundancyGroup) ?? []), e]);
      }
      for (const members of groups.values()) {
        if (!members.some((e) => this.nodes.has(e.supplier))) continue;
        for (const e of members) if (!this.nodes.has(e.supplier)) missing.add(e.supplier);
      }
    }
    return [...missing];
  }

  /** Structural neighbours (CONTAINS, LOCATED_IN, …) of `id` that are not shown. */
  structuralNeighbours(id: string): string[] {
    return (this.relationships.get(id) ?? []).filter((e) => e.dependency === 'NONE').map((e) => (e.from === id ? e.to : e.from)).filter((n) => !this.nodes.has(n));
  }

  /** The redundancy group of a dependency edge as seen by its consumer: its name, how many suppliers it has, how many must live. */
  groupOf(edge: GraphEdge): { name: string; suppliers: number; minLive: number } | undefined {
    if (!edge.redundancyGroup || edge.dependency === 'NONE') return undefined;
    const rels = this.relationships.get(edge.consumer) ?? [];
    const suppliers = rels.filter((e) => e.consumer === edge.consumer && e.redundancyGroup === edge.redundancyGroup && e.dependency !== 'NONE').length;
    return { name: edge.redundancyGroup, suppliers: Math.max(suppliers, 1), minLive: edge.minLive };
  }

  clear(): void {
    this.nodes.clear();
    this.edges.clear();
    this.relationships.clear();
    this.truncated = undefined;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Loads neighbourhoods and extra assets into a GraphModel through the API. */
export class GraphLoader {
  constructor(private readonly api: Api) {}

  /** The assets within `depth` dependency hops of `rootId`, both ways, nearest first, at most MAX_GRAPH_NODES. */
  async neighbourhood(graph: GraphModel, rootId: string, depth: number, structural: boolean): Promise<boolean> {
    const { asset } = await this.api.request<NeighbourhoodData>(NEIGHBOURHOOD, { id: rootId, depth });
    if (!asset) return false;
    graph.clear();
    graph.rootId = asset.id;
    graph.depth = depth;
    const hops = [
      ...asset.dependencies.map((h) => ({ id: h.asset.id, hops: -h.depth })),
      ...asset.dependents.map((h) => ({ id: h.asset.id, hops: h.depth })),
    ].sort((a, b) => Math.abs(a.hops) - Math.abs(b.hops));
    const total = hops.length + 1;
    const shown = hops.slice(0, MAX_GRAPH_NODES - 1);
    if (shown.length < hops.length) graph.truncated = { shown: shown.length + 1, total };
    const hopsOf = new Map(shown.map((h) => [h.id, h.hops]));
    hopsOf.set(asset.id, 0);
    await this.loadWithRelationships(graph, [asset.id, ...shown.map((h) => h.id)], (id) => (id === asset.id ? 'root' : 'member'), hopsOf);
    const extra = [...graph.redundancyPartners(), ...(structural ? graph.structuralNeighbours(asset.id) : [])];
    await this.loadSummaries(graph, extra, 'context');
    graph.connect();
    return true;
  }

  /** Show these assets too (e.g. everything an impact reaches), with their relationships. */
  async add(graph: GraphModel, ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !graph.nodes.has(id)).slice(0, Math.max(0, MAX_GRAPH_NODES - graph.nodes.size));
    if (!missing.length) return;
    await this.loadWithRelationships(graph, missing, () => 'member');
    graph.connect();
  }

  private async loadWithRelationships(graph: GraphModel, ids: string[], role: (id: string) => 'root' | 'member' | 'context', hops?: Map<string, number>): Promise<void> {
    const pages = await Promise.all(
      chunks(ids, ASSET_BATCH).map((batch) => this.api.request<AssetsWithRelationshipsData>(ASSETS_WITH_RELATIONSHIPS, { ids: batch, first: batch.length })),
    );
    for (const page of pages) {
      for (const { node } of page.assets.edges) {
        const { relationships, ...summary } = node;
        graph.addNode(summary, role(node.id), hops?.get(node.id));
        graph.setRelationships(node.id, relationships);
      }
    }
  }

  private async loadSummaries(graph: GraphModel, ids: string[], role: NodeRole): Promise<void> {
    const unique = [...new Set(ids)].filter((id) => !graph.nodes.has(id));
    const pages = await Promise.all(chunks(unique, ASSET_BATCH).map((batch) => this.api.request<AssetSummariesData>(ASSET_SUMMARIES, { ids: batch, first: batch.length })));
    for (const page of pages) for (const { node } of page.assets.edges) graph.addNode(node, role);
  }

  /** Re-read status, staleness and freshness of every shown asset (assets turn stale by time alone). */
  async refreshSummaries(graph: GraphModel): Promise<AssetSummary[]> {
    const ids = [...graph.nodes.keys()];
    const pages = await Promise.all(chunks(ids, ASSET_BATCH).map((batch) => this.api.request<AssetSummariesData>(ASSET_SUMMARIES, { ids: batch, first: batch.length })));
    return pages.flatMap((p) => p.assets.edges.map((e) => e.node));
  }
}
