/**
 * The graph on screen (cytoscape): nodes coloured by live status, by a what-if impact or by a
 * scenario's results; dependency edges drawn supplier → consumer, redundancy groups in a colour
 * of their own with "group: needs k of n" labels (shown when zoomed in); stale assets with a
 * dashed outline; assets outside the chosen depth faded. Also the legend and a plain table of
 * what is drawn, for keyboard and screen-reader users.
 */
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import {
  availabilityColour,
  groupColour,
  impactColour,
  legend,
  loadColour,
  PLAIN_EDGE,
  statusColour,
  STRUCTURAL_EDGE,
  type ColourMode,
} from './colours';
import { $, ago, el, percent } from './dom';
import type { GraphEdge, GraphModel, GraphNode } from './graph-model';
import { layoutGraph } from './layout';
import type { AssetSummary, RunResult, ScenarioKind } from './operations';

export type ImpactMark = 'FAILED' | 'DOWN' | 'AT_RISK';

export interface ScenarioOverlay {
  runId: string;
  kind: ScenarioKind;
  results: Map<string, RunResult>;
}

const SHAPES: Record<string, string> = {
  Site: 'barrel',
  Room: 'barrel',
  UtilityFeed: 'diamond',
  Generator: 'diamond',
  UPS: 'hexagon',
  PDU: 'hexagon',
  Rack: 'round-rectangle',
  Server: 'rectangle',
  Service: 'ellipse',
  Chiller: 'octagon',
  CRAH: 'octagon',
  Sensor: 'triangle',
};

const FONT = '"Inter Variable", system-ui, sans-serif';

export interface GraphViewEvents {
  /** A node was clicked (or chosen in the table): show its details. */
  inspect(id: string): void;
  /** The selection changed. */
  selection(ids: string[]): void;
}

export class GraphView {
  readonly cy: Core;
  private mode: ColourMode = 'status';
  private impact = new Map<string, ImpactMark>();
  private causes = new Map<string, string>();
  private scenario: ScenarioOverlay | undefined;
  private structural = false;
  private model: GraphModel | undefined;

  constructor(
    container: HTMLElement,
    private readonly events: GraphViewEvents,
  ) {
    this.cy = cytoscape({
      container,
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: true,
      selectionType: 'single',
      style: STYLE as never,
    });
    // cytoscape caches where its canvas is on the page; text appearing above it (a summary line,
    // a notice) moves it without resizing it, and clicks would land beside the nodes.
    const moved = new ResizeObserver(() => this.cy.resize());
    moved.observe(document.body);
    if (container.parentElement) moved.observe(container.parentElement);
    this.cy.on('tap', 'node', (e) => this.events.inspect((e.target as NodeSingular).id()));
    this.cy.on('select unselect', 'node', () => this.events.selection(this.selected()));
    // The test suite and the curious read the graph from here (`twinExplorer.cy` in the console).
    (window as unknown as { twinExplorer: object }).twinExplorer = { cy: this.cy, view: this };
  }

  selected(): string[] {
    return this.cy.nodes(':selected').map((n) => n.id());
  }

  select(ids: string[], only = true): void {
    this.cy.batch(() => {
      if (only) this.cy.nodes(':selected').unselect();
      for (const id of ids) this.cy.getElementById(id).select();
    });
  }

  focus(id: string): void {
    const n = this.cy.getElementById(id);
    if (n.empty()) return;
    this.select([id]);
    this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 1) }, { duration: 250 });
  }

  /** Draw `model` afresh: elements, then the layout. */
  render(model: GraphModel): void {
    this.model = model;
    const elements: ElementDefinition[] = [];
    for (const n of model.nodes.values()) elements.push({ group: 'nodes', data: { id: n.id } });
    for (const e of model.edges.values()) {
      const [source, target] = e.dependency === 'NONE' ? [e.from, e.to] : [e.supplier, e.consumer];
      elements.push({ group: 'edges', data: { id: e.key, source, target }, classes: e.dependency === 'NONE' ? 'structural' : 'dependency' });
    }
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(elements);
      this.paint();
    });
    layoutGraph(this.cy);
    this.renderTable();
  }

  relayout(): void {
    layoutGraph(this.cy);
  }

  fit(): void {
    this.cy.fit(undefined, 30);
  }

  setStructural(on: boolean): void {
    this.structural = on;
    this.paint();
  }

  setMode(mode: ColourMode): void {
    this.mode = mode;
    this.paint();
    const select = document.querySelector<HTMLSelectElement>('#colour-mode');
    if (select) select.value = mode;
  }

  getMode(): ColourMode {
    return this.mode;
  }

  setImpact(marks: Map<string, ImpactMark>, causes: Map<string, string>): void {
    this.impact = marks;
    this.causes = causes;
    this.paint();
  }

  setScenario(overlay: ScenarioOverlay | undefined): void {
    this.scenario = overlay;
    this.paint();
  }

  /** Live changes (or a refresh) of some assets: repaint those nodes only, at once; the table follows. */
  updateAssets(summaries: AssetSummary[], state?: Record<string, unknown>): void {
    const model = this.model;
    if (!model) return;
    this.cy.batch(() => {
      for (const s of summaries) {
        const n = model.nodes.get(s.id);
        if (!n) continue;
        Object.assign(n, { status: s.status, stale: s.stale, freshness: s.freshness, readAt: Date.now() }, state ? { state } : {});
        const node = this.cy.getElementById(s.id);
        if (node.nonempty()) node.data(this.nodeData(n));
      }
    });
    this.scheduleTable();
  }

  private tableTimer: number | undefined;
  private scheduleTable(): void {
    if (this.tableTimer !== undefined) return;
    this.tableTimer = window.setTimeout(() => {
      this.tableTimer = undefined;
      this.renderTable();
    }, 250);
  }

  private fill(n: GraphNode): string {
    if (this.mode === 'impact') return impactColour(this.impact.get(n.id));
    if (this.mode === 'scenario' && this.scenario) {
      const r = this.scenario.results.get(n.id);
      if (this.scenario.kind === 'RELIABILITY') return availabilityColour(r?.availability);
      if (this.scenario.kind === 'LOAD') return loadColour(r);
      return impactColour(r?.state ?? undefined);
    }
    return statusColour(n.status);
  }

  /** The second line of a node's label: its state in words. */
  private caption(n: GraphNode): string {
    if (this.mode === 'impact') {
      const mark = this.impact.get(n.id);
      return mark === 'AT_RISK' ? 'AT RISK' : (mark ?? '');
    }
    if (this.mode === 'scenario' && this.scenario) {
      const r = this.scenario.results.get(n.id);
      if (!r) return '';
      if (this.scenario.kind === 'RELIABILITY') return percent(r.availability, 3);
      if (this.scenario.kind === 'LOAD') {
        if (r.state === 'DOWN') return 'DOWN';
        const u = r.utilization === null || r.utilization === undefined ? `${r.loadKw?.toFixed(1) ?? '0'} kW` : percent(r.utilization, 0);
        return r.overloaded ? `OVERLOADED ${u}` : u;
      }
      return r.state === 'AT_RISK' ? 'AT RISK' : (r.state ?? '');
    }
    return n.status && n.status !== 'UNKNOWN' ? n.status : '';
  }

  private nodeData(n: GraphNode): Record<string, unknown> {
    const caption = this.caption(n);
    return {
      id: n.id,
      label: caption ? `${n.id}\n${caption}` : n.id,
      fill: this.fill(n),
      shape: SHAPES[n.kind] ?? 'round-rectangle',
      size: n.role === 'root' ? 40 : 28,
      borderWidth: n.role === 'root' ? 4 : n.stale ? 2 : 1.5,
      borderStyle: n.stale ? 'dashed' : 'solid',
      borderColour: n.role === 'root' ? '#1b2733' : n.stale ? '#5f6b76' : '#33414e',
      opacity: n.role === 'context' ? 0.55 : 1,
      stale: n.stale,
      status: n.status ?? 'UNKNOWN',
      impact: this.impact.get(n.id) ?? '',
      kind: n.kind,
    };
  }

  private edgeData(e: GraphEdge): Record<string, unknown> {
    const group = this.model?.groupOf(e);
    const onChain = this.mode === 'impact' && e.dependency !== 'NONE' && isFailing(this.impact.get(e.supplier)) && this.impact.has(e.consumer);
    const colour = onChain ? '#b71c1c' : e.dependency === 'NONE' ? STRUCTURAL_EDGE : group ? groupColour(group.name) : PLAIN_EDGE;
    return {
      colour,
      width: onChain ? 3 : group ? 2 : 1.2,
      label: group ? `${group.name}: needs ${group.minLive} of ${group.suppliers}` : e.type,
      lineStyle: e.dependency === 'NONE' ? 'dotted' : 'solid',
      display: e.dependency === 'NONE' && !this.structural ? 'none' : 'element',
      type: e.type,
      group: group?.name ?? '',
    };
  }

  /** Recompute every element's data from the model and the overlays. */
  private paint(): void {
    if (!this.model) return;
    const model = this.model;
    this.cy.batch(() => {
      this.cy.nodes().forEach((node) => {
        const n = model.nodes.get(node.id());
        if (n) node.data(this.nodeData(n));
      });
      this.cy.edges().forEach((edge) => {
        const e = model.edges.get(edge.id());
        if (e) edge.data(this.edgeData(e));
      });
    });
    this.renderLegend();
    this.renderTable();
  }

  private renderLegend(): void {
    const entries = legend(this.mode, this.scenario?.kind);
    const title =
      this.mode === 'status' ? 'Colour: live status' : this.mode === 'impact' ? 'Colour: what-if impact' : `Colour: ${this.scenario?.kind ?? ''} scenario results`;
    $('#legend').replaceChildren(
      el('h3', {}, title),
      el(
        'ul',
        { className: 'legend-colours' },
        entries.map((e) => el('li', { 'data-key': e.key }, el('span', { className: 'swatch', style: `background:${e.colour}`, 'aria-hidden': 'true' }), e.label)),
      ),
      el(
        'ul',
        { className: 'legend-shapes' },
        el('li', {}, el('span', { className: 'swatch stale', 'aria-hidden': 'true' }), 'dashed outline: stale (no report within its expected interval)'),
        el('li', {}, el('span', { className: 'swatch context', 'aria-hidden': 'true' }), 'faded: outside the chosen depth, shown to complete a redundancy group'),
        el('li', {}, el('span', { className: 'swatch root', 'aria-hidden': 'true' }), 'thick outline: the asset the neighbourhood is of'),
        el('li', {}, el('span', { className: 'arrow', 'aria-hidden': 'true' }, '→'), 'arrows point from a supplier to what depends on it'),
        el('li', {}, el('span', { className: 'swatch group', 'aria-hidden': 'true' }), 'coloured edges: a redundancy group (zoom in for "group: needs k of n")'),
        this.mode === 'impact' ? el('li', {}, el('span', { className: 'swatch chain', 'aria-hidden': 'true' }), 'thick red edges: how the failure spreads') : null,
      ),
    );
  }

  /** The same content as a table: every asset drawn, with what its colour says. */
  private renderTable(): void {
    const model = this.model;
    const table = document.querySelector('#graph-table tbody');
    if (!model || !table) return;
    const rows = [...model.nodes.values()].sort((a, b) => (a.hops ?? 99) - (b.hops ?? 99) || a.id.localeCompare(b.id));
    $('#graph-table-count').textContent = String(rows.length);
    table.replaceChildren(
      ...rows.map((n) =>
        el(
          'tr',
          { 'data-id': n.id },
          el('td', {}, el('button', { type: 'button', className: 'link', onclick: () => this.events.inspect(n.id) }, n.id)),
          el('td', {}, n.kind),
          el('td', {}, n.role === 'root' ? 'root' : n.hops === undefined ? '—' : n.hops < 0 ? `${-n.hops} up` : `${n.hops} down`),
          el('td', {}, n.status ?? 'UNKNOWN'),
          el('td', {}, n.stale ? `stale (${ago(freshnessNow(n))})` : ago(freshnessNow(n))),
          el('td', {}, this.describe(n)),
        ),
      ),
    );
  }

  /** What the current colouring says about one asset, in words. */
  describe(n: GraphNode): string {
    if (this.mode === 'impact') {
      const mark = this.impact.get(n.id);
      if (!mark) return 'not affected';
      if (mark === 'FAILED') return 'FAILED';
      return `${mark === 'AT_RISK' ? 'AT RISK' : 'DOWN'} (cause ${this.causes.get(n.id) ?? '?'})`;
    }
    if (this.mode === 'scenario') return this.caption(n) || 'no result';
    return n.status ?? 'UNKNOWN';
  }
}

function isFailing(mark: ImpactMark | undefined): boolean {
  return mark === 'FAILED' || mark === 'DOWN';
}

export function freshnessNow(n: { freshness?: number | null; readAt: number }): number | null {
  if (n.freshness === null || n.freshness === undefined) return null;
  return n.freshness + (Date.now() - n.readAt) / 1000;
}

const STYLE = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(fill)',
      shape: 'data(shape)',
      width: 'data(size)',
      height: 'data(size)',
      'border-width': 'data(borderWidth)',
      'border-style': 'data(borderStyle)',
      'border-color': 'data(borderColour)',
      opacity: 'data(opacity)',
      label: 'data(label)',
      'font-family': FONT,
      'font-size': 11,
      color: '#1b2733',
      'text-valign': 'bottom',
      'text-halign': 'center',
      'text-margin-y': 3,
      'text-wrap': 'wrap',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'text-background-padding': '1px',
      // Labels give way to the picture only when they would be unreadably small.
      'min-zoomed-font-size': 6,
    },
  },
  {
    selector: 'node:selected',
    style: { 'overlay-color': '#1565c0', 'overlay-opacity': 0.28, 'overlay-padding': 7 },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': 'data(colour)',
      'line-style': 'data(lineStyle)',
      'target-arrow-color': 'data(colour)',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'bezier',
      display: 'data(display)',
      label: 'data(label)',
      'font-family': FONT,
      'font-size': 7,
      color: '#4a5561',
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.8,
      'min-zoomed-font-size': 9,
    },
  },
  { selector: 'edge.structural', style: { 'target-arrow-shape': 'none' } },
];
