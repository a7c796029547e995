/**
 * One asset: what it is, its live state and freshness, its relationships (suppliers, consumers,
 * structure, with redundancy groups), its latest scenario results and a history chart.
 */
import { describeError, type Api } from './api';
import { statusColour } from './colours';
import { $, ago, el, number, percent, scalar, time } from './dom';
import { HistoryChart } from './history-chart';
import { ASSET_DETAILS, type AssetDetails, type AssetDetailsData, type DependencyDirection } from './operations';

export interface AssetPanelActions {
  openNeighbourhood(id: string): void;
  addToFailed(id: string): void;
  focus(id: string): void;
  /** The impact or scenario result of this asset, in words, when one is shown. */
  overlayText(id: string): string | undefined;
}

export class AssetPanel {
  private asset: AssetDetails | undefined;
  private readAt = 0;
  private readonly chart: HistoryChart;
  private loading = 0;

  constructor(
    private readonly api: Api,
    private readonly types: ReadonlyMap<string, DependencyDirection>,
    private readonly actions: AssetPanelActions,
  ) {
    this.chart = new HistoryChart(api);
    // Freshness ages on screen.
    window.setInterval(() => this.renderFreshness(), 5000);
  }

  shownId(): string | undefined {
    return this.asset?.id;
  }

  async show(id: string): Promise<void> {
    const ticket = ++this.loading;
    try {
      const { asset } = await this.api.request<AssetDetailsData>(ASSET_DETAILS, { id });
      if (ticket !== this.loading) return;
      if (!asset) {
        $('#asset-empty').textContent = `No asset ${id}.`;
        $('#asset-empty').hidden = false;
        $('#asset-details').hidden = true;
        return;
      }
      this.asset = asset;
      this.readAt = Date.now();
      this.render();
      this.chart.showAsset(asset.id, asset.state as Record<string, unknown> | null);
    } catch (err) {
      $('#asset-empty').textContent = `Could not load ${id}: ${describeError(err)}`;
      $('#asset-empty').hidden = false;
    }
  }

  /** A live event for the shown asset. */
  liveUpdate(summary: { id: string; status?: string | null; stale: boolean; freshness?: number | null }, state: Record<string, unknown>, observedAt: Record<string, unknown>): void {
    if (!this.asset || this.asset.id !== summary.id) return;
    Object.assign(this.asset, summary, { state, stateObservedAt: observedAt });
    this.readAt = Date.now();
    this.render();
    this.chart.liveUpdate(state);
  }

  /** The overlay (impact, scenario) changed: its line in the details. */
  refreshOverlay(): void {
    if (this.asset) this.render();
  }

  private freshnessText(): string {
    const a = this.asset;
    if (!a) return '';
    const f = a.freshness === null || a.freshness === undefined ? null : a.freshness + (Date.now() - this.readAt) / 1000;
    return a.stale ? `STALE: last report ${ago(f)}` : `fresh: last report ${ago(f)}`;
  }

  private renderFreshness(): void {
    const node = document.querySelector('#asset-freshness');
    if (node) node.textContent = this.freshnessText();
  }

  private render(): void {
    const a = this.asset;
    if (!a) return;
    $('#asset-empty').hidden = true;
    const overlay = this.actions.overlayText(a.id);
    const state = (a.state ?? {}) as Record<string, unknown>;
    const observed = (a.stateObservedAt ?? {}) as Record<string, unknown>;
    const props = (a.properties ?? {}) as Record<string, unknown>;
    const details = $('#asset-details');
    details.hidden = false;
    details.replaceChildren(
      ...nodes(
        el('h3', { id: 'asset-title' }, a.name ? `${a.name}` : a.id),
        el(
          'p',
          {},
          el('code', {}, a.id),
          ` · ${a.kind} · `,
          el('span', { className: 'swatch', style: `background:${statusColour(a.status)}`, 'aria-hidden': 'true' }),
          el('strong', { id: 'asset-status' }, ` ${a.status ?? 'UNKNOWN'}`),
          ' · ',
          el('span', { id: 'asset-freshness', className: a.stale ? 'stale-text' : '' }, this.freshnessText()),
        ),
        overlay ? el('p', { id: 'asset-overlay', className: 'overlay-text' }, overlay) : null,
        el(
          'div',
          { className: 'row' },
          el('button', { type: 'button', onclick: () => this.actions.openNeighbourhood(a.id) }, 'Open its neighbourhood'),
          el('button', { type: 'button', onclick: () => this.actions.addToFailed(a.id) }, 'Add to failed set'),
        ),
        el('h4', {}, 'State'),
        Object.keys(state).length
          ? table(
              ['Metric', 'Value', 'Observed'],
              Object.keys(state)
                .sort()
                .map((k) => [k, scalar(state[k]), time(observed[k] as string)]),
              'asset-state',
            )
          : el('p', { className: 'muted' }, 'No state reported yet.'),
        el('h4', {}, 'Properties'),
        Object.keys(props).length
          ? table(
              ['Property', 'Value'],
              Object.keys(props)
                .sort()
                .map((k) => [k, scalar(props[k])]),
            )
          : el('p', { className: 'muted' }, 'None.'),
        el('p', { className: 'muted small' }, `version ${a.version} · created ${time(a.createdAt)} · updated ${time(a.updatedAt)}`),
        this.relationships(a),
        this.results(a),
      ),
    );
  }

  private relationships(a: AssetDetails): HTMLElement {
    const suppliers: HTMLElement[] = [];
    const consumers: HTMLElement[] = [];
    const structural: HTMLElement[] = [];
    const link = (r: { id: string; kind: string; name?: string | null }) =>
      el('button', { type: 'button', className: 'link', title: r.name ?? r.id, onclick: () => this.actions.focus(r.id) }, r.id);
    for (const r of a.relationships) {
      const dependency = this.types.get(r.type) ?? 'NONE';
      const props = (r.properties ?? {}) as Record<string, unknown>;
      const group = typeof props.redundancyGroup === 'string' ? ` · group ${props.redundancyGroup}, needs ${typeof props.minLive === 'number' ? props.minLive : 1}` : '';
      if (dependency === 'NONE') {
        const other = r.from.id === a.id ? r.to : r.from;
        // "CONTAINS rack-r2-03" from the room; "sensor-rack-r2-03 LOCATED_IN this" on the rack.
        structural.push(r.from.id === a.id ? el('li', {}, `${r.type} `, link(other)) : el('li', {}, link(other), ` ${r.type} this`));
        continue;
      }
      const [supplier, consumer] = dependency === 'REVERSE' ? [r.to, r.from] : [r.from, r.to];
      if (consumer.id === a.id) suppliers.push(el('li', {}, link(supplier), ` (${supplier.kind}) via ${r.type}${group}`));
      else consumers.push(el('li', {}, link(consumer), ` (${consumer.kind}) via ${r.type}${group}`));
    }
    const list = (title: string, items: HTMLElement[]) => [el('h5', {}, `${title} (${items.length})`), items.length ? el('ul', { className: 'rels' }, items) : el('p', { className: 'muted' }, 'None.')];
    return el('section', { 'aria-label': 'Relationships' }, el('h4', {}, 'Relationships'), ...list('Depends on', suppliers), ...list('Needed by', consumers), ...list('Structure', structural));
  }

  private results(a: AssetDetails): HTMLElement {
    if (!a.scenarioResults.length) return el('section', {}, el('h4', {}, 'Scenario results'), el('p', { className: 'muted' }, 'No succeeded run has a result for it yet.'));
    return el(
      'section',
      {},
      el('h4', {}, 'Scenario results'),
      table(
        ['Run', 'Finished', 'Result'],
        a.scenarioResults.map((r) => {
          let text: string;
          if (r.run.kind === 'RELIABILITY') text = `availability ${percent(r.availability)} (95 %: ${percent(r.availabilityLow)} – ${percent(r.availabilityHigh)})`;
          else if (r.run.kind === 'LOAD') text = `${number(r.loadKw)} kW, utilization ${percent(r.utilization, 1)}${r.overloaded ? ', OVERLOADED' : ''}${r.state ? `, ${r.state}` : ''}`;
          else text = `${r.state ?? '—'}${r.depth !== null && r.depth !== undefined ? ` at depth ${r.depth}` : ''}${r.cause ? `, cause ${r.cause}` : ''}`;
          return [`${r.run.kind} ${r.run.id.slice(0, 8)}`, time(r.run.finishedAt), text];
        }),
      ),
    );
  }
}

function nodes(...items: (Node | null)[]): Node[] {
  return items.filter((n): n is Node => n !== null);
}

function table(headers: string[], rows: string[][], id?: string): HTMLTableElement {
  return el(
    'table',
    { className: 'compact', id },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))),
  );
}
