/**
 * The twin explorer: find assets, see a neighbourhood as a graph that stays live, fail assets
 * and see the impact, run scenarios and see their results, chart an asset's history. Talks to
 * the API like any client: GraphQL over HTTP (/graphql) and graphql-ws over a WebSocket.
 */
import '@fontsource-variable/inter/wght.css';
import './styles.css';
import { Api, describeError, Live } from './api';
import { AssetPanel } from './asset-panel';
import { Credentials, SignIn } from './auth';
import type { ColourMode } from './colours';
import { $, announce, el, percent, number } from './dom';
import { GraphLoader, GraphModel } from './graph-model';
import { GraphView, type ImpactMark } from './graph-view';
import { ImpactPanel } from './impact-panel';
import {
  MAX_GRAPH_NODES,
  MODEL,
  STATE_CHANGED,
  TOPOLOGY_CHANGED,
  type DependencyDirection,
  type ImpactData,
  type ModelData,
  type RunFields,
  type RunResult,
  type StateChangedData,
  type TopologyChangedData,
} from './operations';
import { ScenarioPanel } from './scenario-panel';
import { SearchPanel } from './search-panel';

interface Settings {
  graphqlPath: string;
  maxTraversalDepth: number;
  maxPageSize: number;
  maxListItems: number;
  maxSamples: number;
  defaultSamples: number;
}

/** How often shown assets are re-read: staleness comes with time alone, without any event. */
const REFRESH_MS = 20_000;
const DEFAULT_DEPTH = 2;

class Explorer {
  private readonly graph: GraphModel;
  private readonly loader: GraphLoader;
  private readonly view: GraphView;
  private readonly assetPanel: AssetPanel;
  private readonly impactPanel: ImpactPanel;
  private readonly scenarioPanel: ScenarioPanel;
  private readonly search: SearchPanel;
  private stopState: (() => void) | undefined;
  private watched = '';
  private opening = 0;
  private impact: ImpactData['impact'] | undefined;
  private scenario: { run: RunFields; results: Map<string, RunResult> } | undefined;

  constructor(
    api: Api,
    private readonly live: Live,
    private readonly settings: Settings,
    model: ModelData['model'],
  ) {
    const types = new Map<string, DependencyDirection>(model.relationshipTypes.map((t) => [t.name, t.dependency]));
    const kinds = model.kinds.map((k) => k.name);
    $('#model-name').textContent = `model ${model.name} ${model.version}`;
    this.graph = new GraphModel(types);
    this.loader = new GraphLoader(api);
    this.view = new GraphView($('#graph'), {
      inspect: (id) => this.inspect(id),
      selection: (ids) => this.impactPanel.selectionChanged(ids),
    });
    this.assetPanel = new AssetPanel(api, types, {
      openNeighbourhood: (id) => this.navigate(id, this.depth()),
      addToFailed: (id) => {
        this.impactPanel.add([id]);
        selectTab('impact');
      },
      focus: (id) => this.focus(id),
      overlayText: (id) => this.overlayText(id),
    });
    this.impactPanel = new ImpactPanel(
      api,
      {
        selected: () => this.view.selected(),
        showImpact: (report, draw) => this.showImpact(report, draw),
        focus: (id) => this.focus(id),
        changed: () => this.scenarioPanel.contextChanged(),
      },
      settings.maxListItems,
    );
    this.scenarioPanel = new ScenarioPanel(api, live, settings, {
      failedSet: () => this.impactPanel.failedSet(),
      scope: () => (this.graph.rootId ? { root: this.graph.rootId, depth: this.graph.depth } : undefined),
      showResults: (run, results) => this.showResults(run, results),
      focus: (id) => this.focus(id),
    });
    this.search = new SearchPanel(api, (id) => this.navigate(id, this.depth()));
    this.search.setKinds(kinds);
    this.scenarioPanel.setKinds(kinds);

    const depth = $<HTMLSelectElement>('#graph-depth');
    for (let d = 1; d <= settings.maxTraversalDepth; d++) depth.append(el('option', { value: d }, String(d)));
    depth.value = String(Math.min(DEFAULT_DEPTH, settings.maxTraversalDepth));
    depth.addEventListener('change', () => this.graph.rootId && this.navigate(this.graph.rootId, this.depth()));
    $('#graph-structural').addEventListener('change', () => this.graph.rootId && void this.open(this.graph.rootId, this.depth()));
    $('#colour-mode').addEventListener('change', (e) => {
      this.view.setMode((e.target as HTMLSelectElement).value as ColourMode);
      this.assetPanel.refreshOverlay();
    });
    $('#graph-fit').addEventListener('click', () => this.view.fit());
    $('#graph-relayout').addEventListener('click', () => this.view.relayout());
    window.addEventListener('hashchange', () => this.fromHash());
    window.setInterval(() => void this.refresh(), REFRESH_MS);
    this.live.subscribe<TopologyChangedData>(TOPOLOGY_CHANGED, {}, { next: (d) => this.topologyChanged(d) });
    this.scenarioPanel.contextChanged();
  }

  async start(): Promise<void> {
    await this.search.search();
    void this.scenarioPanel.loadRuns();
    this.fromHash();
  }

  private depth(): number {
    return Number($<HTMLSelectElement>('#graph-depth').value) || 1;
  }

  /** Views are addressable: #asset=pdu-r2-a&depth=2. */
  private navigate(id: string, depth: number): void {
    const hash = `#asset=${encodeURIComponent(id)}&depth=${depth}`;
    if (location.hash === hash) void this.open(id, depth);
    else location.hash = hash;
  }

  private fromHash(): void {
    const params = new URLSearchParams(location.hash.slice(1));
    const id = params.get('asset');
    if (!id) return;
    const depth = Math.min(Math.max(Number(params.get('depth')) || DEFAULT_DEPTH, 1), this.settings.maxTraversalDepth);
    $<HTMLSelectElement>('#graph-depth').value = String(depth);
    void this.open(id, depth);
  }

  async open(id: string, depth: number): Promise<void> {
    const ticket = ++this.opening;
    const summary = $('#graph-summary');
    summary.textContent = `Loading the neighbourhood of ${id}…`;
    try {
      const found = await this.loader.neighbourhood(this.graph, id, depth, $<HTMLInputElement>('#graph-structural').checked);
      if (ticket !== this.opening) return;
      if (!found) {
        summary.textContent = `No asset ${id}.`;
        announce(`No asset ${id}.`, 'error');
        return;
      }
      // An impact being shown reaches into the new neighbourhood too.
      if (this.impact && $<HTMLInputElement>('#impact-draw').checked) await this.loader.add(this.graph, impactIds(this.impact));
      this.drawGraph();
      $('#graph-root').textContent = id;
      this.scenarioPanel.contextChanged();
      void this.inspect(id);
    } catch (err) {
      summary.textContent = `Could not load ${id}: ${describeError(err)}`;
      announce(`Could not load ${id}: ${describeError(err)}`, 'error');
    }
  }

  private drawGraph(): void {
    this.view.render(this.graph);
    const dependencyEdges = [...this.graph.edges.values()].filter((e) => e.dependency !== 'NONE').length;
    const t = this.graph.truncated;
    $('#graph-summary').textContent =
      `${this.graph.rootId}, depth ${this.graph.depth}: ${this.graph.nodes.size} assets, ${dependencyEdges} dependency relationships` +
      (t ? ` (the nearest ${t.shown} of ${t.total}; at most ${MAX_GRAPH_NODES} are drawn)` : '') +
      '.';
    $('#graph-summary').dataset.assets = String(this.graph.nodes.size);
    this.watch();
  }

  /** Live state of every asset drawn: the new subscription starts before the old one stops, so no event falls between. */
  private watch(): void {
    const ids = [...this.graph.nodes.keys()].sort();
    const key = ids.join(',');
    if (key === this.watched) return;
    this.watched = key;
    const previous = this.stopState;
    this.stopState = ids.length
      ? this.live.subscribe<StateChangedData>(STATE_CHANGED, { ids }, {
          next: ({ assetStateChanged: e }) => {
            const state = (e.asset.state ?? {}) as Record<string, unknown>;
            this.view.updateAssets([e.asset], state);
            this.assetPanel.liveUpdate(e.asset, state, (e.asset.stateObservedAt ?? {}) as Record<string, unknown>);
          },
          error: (err) => announce(`Live updates stopped: ${describeError(err)}`, 'error'),
        })
      : undefined;
    previous?.();
  }

  private async refresh(): Promise<void> {
    if (document.visibilityState !== 'visible' || this.graph.nodes.size === 0) return;
    try {
      this.view.updateAssets(await this.loader.refreshSummaries(this.graph));
    } catch {
      // The next refresh tries again; errors of user actions are reported where they happen.
    }
  }

  private topologyChanged({ topologyChanged: t }: TopologyChangedData): void {
    const touches = (id: string | undefined) => !!id && this.graph.nodes.has(id);
    if (!touches(t.asset?.id) && !touches(t.relationship?.from.id) && !touches(t.relationship?.to.id)) return;
    const summary = $('#graph-summary');
    if (summary.querySelector('.reload')) return;
    summary.append(
      ' The topology of this graph changed. ',
      el('button', { type: 'button', className: 'reload', onclick: () => this.graph.rootId && void this.open(this.graph.rootId, this.graph.depth) }, 'Reload'),
    );
  }

  private inspect(id: string): void {
    selectTab('asset');
    void this.assetPanel.show(id);
  }

  private focus(id: string): void {
    if (this.graph.nodes.has(id)) this.view.focus(id);
    this.inspect(id);
  }

  private async showImpact(report: ImpactData['impact'] | undefined, draw: boolean): Promise<void> {
    this.impact = report;
    const marks = new Map<string, ImpactMark>();
    const causes = new Map<string, string>();
    if (report) {
      for (const id of report.failed) marks.set(id, 'FAILED');
      for (const d of report.down) {
        marks.set(d.asset.id, 'DOWN');
        if (d.cause) causes.set(d.asset.id, d.cause);
      }
      for (const a of report.atRisk) {
        marks.set(a.asset.id, 'AT_RISK');
        if (a.cause) causes.set(a.asset.id, a.cause);
      }
      if (draw && this.graph.rootId) {
        const before = this.graph.nodes.size;
        await this.loader.add(this.graph, impactIds(report));
        if (this.graph.nodes.size !== before) this.drawGraph();
      }
    }
    this.view.setImpact(marks, causes);
    if (report) this.view.setMode('impact');
    else if (this.view.getMode() === 'impact') this.view.setMode('status');
    this.assetPanel.refreshOverlay();
  }

  private showResults(run: RunFields, results: Map<string, RunResult>): void {
    this.scenario = { run, results };
    this.view.setScenario({ runId: run.id, kind: run.kind, results });
    this.view.setMode('scenario');
    this.assetPanel.refreshOverlay();
  }

  private overlayText(id: string): string | undefined {
    const mode = this.view.getMode();
    if (mode === 'impact' && this.impact) {
      if (this.impact.failed.includes(id)) return 'What if: FAILED (in the failed set).';
      const d = this.impact.down.find((x) => x.asset.id === id);
      if (d) return `What if: DOWN at depth ${d.depth}, caused by ${d.cause ?? '?'}.`;
      const a = this.impact.atRisk.find((x) => x.asset.id === id);
      if (a) return `What if: AT RISK (lost redundancy) at depth ${a.depth}, caused by ${a.cause ?? '?'}.`;
      return 'What if: not affected.';
    }
    if (mode === 'scenario' && this.scenario) {
      const r = this.scenario.results.get(id);
      const kind = this.scenario.run.kind;
      if (!r) return `${kind} run ${this.scenario.run.id.slice(0, 8)}: no result for this asset.`;
      if (kind === 'RELIABILITY') return `${kind}: availability ${percent(r.availability)} (95 %: ${percent(r.availabilityLow)} – ${percent(r.availabilityHigh)}).`;
      if (kind === 'LOAD') return `${kind}: ${number(r.loadKw)} kW, utilization ${percent(r.utilization, 1)}${r.overloaded ? ', OVERLOADED' : ''}${r.state ? `, ${r.state}` : ''}.`;
      return `${kind}: ${r.state ?? 'not affected'}${r.cause ? `, caused by ${r.cause}` : ''}.`;
    }
    return undefined;
  }
}

function impactIds(report: ImpactData['impact']): string[] {
  return [...report.failed, ...report.down.map((d) => d.asset.id), ...report.atRisk.map((a) => a.asset.id)];
}

const TABS = ['asset', 'impact', 'scenarios'] as const;
type Tab = (typeof TABS)[number];

function selectTab(tab: Tab): void {
  for (const t of TABS) {
    const button = $(`#tab-${t}`);
    const selected = t === tab;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`#${button.getAttribute('aria-controls')}`).hidden = !selected;
  }
}

/** Tabs as in the ARIA authoring practices: Tab reaches the selected one, arrow keys move between them. */
function setUpTabs(): void {
  TABS.forEach((t, i) => {
    const button = $(`#tab-${t}`);
    button.addEventListener('click', () => selectTab(t));
    button.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = TABS[(i + step + TABS.length) % TABS.length];
      selectTab(next);
      $(`#tab-${next}`).focus();
    });
  });
}

async function main(): Promise<void> {
  setUpTabs();
  const settings = (await (await fetch('/explorer/settings.json')).json()) as Settings;
  const credentials = new Credentials();
  const signIn = new SignIn(credentials);
  const options = { path: settings.graphqlPath, credentials, signIn: (reason: string) => signIn.ask(reason) };
  const api = new Api(options);
  const liveState = $('#live-state');
  const live = new Live({
    ...options,
    onState: (state, detail) => {
      liveState.textContent = state === 'connected' ? 'live updates: connected' : state === 'connecting' ? 'live updates: connecting…' : `live updates: disconnected${detail ? ` (${detail})` : ''}`;
      liveState.dataset.state = state;
    },
  });
  // A new key or token: the WebSocket connects again with it.
  credentials.onChange(() => live.restart());
  const { model } = await api.request<ModelData>(MODEL);
  const explorer = new Explorer(api, live, settings, model);
  await explorer.start();
  document.body.dataset.ready = 'true';
}

main().catch((err: unknown) => announce(`The explorer could not start: ${describeError(err)}`, 'error'));
