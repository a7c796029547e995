/**
 * What if: a set of assets pretended failed, and `impact` of it: what goes DOWN and what stays
 * up but is AT RISK, with depth and cause, counted, listed and drawn on the graph.
 */
import { describeError, type Api } from './api';
import { impactColour } from './colours';
import { $, announce, el } from './dom';
import { IMPACT, type ImpactData, type Impacted } from './operations';

export interface ImpactPanelActions {
  /** Graph selection, for "Fail selected". */
  selected(): string[];
  /** Show the result: marks for the graph, and the assets it reaches (to draw them). */
  showImpact(report: ImpactData['impact'] | undefined, draw: boolean): Promise<void>;
  focus(id: string): void;
  /** The failed set changed (the scenario form shows it). */
  changed(failed: string[]): void;
}

export class ImpactPanel {
  private failed: string[] = [];
  private ticket = 0;
  report: ImpactData['impact'] | undefined;

  constructor(
    private readonly api: Api,
    private readonly actions: ImpactPanelActions,
    private readonly maxItems: number,
  ) {
    $('#fail-selected').addEventListener('click', () => this.add(this.actions.selected()));
    $('#failed-clear').addEventListener('click', () => this.set([]));
    $('#failed-add-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = $<HTMLInputElement>('#failed-add');
      const ids = input.value
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      input.value = '';
      this.add(ids);
    });
    $('#impact-draw').addEventListener('change', () => void this.actions.showImpact(this.report, this.draw()));
  }

  failedSet(): string[] {
    return [...this.failed];
  }

  selectionChanged(ids: string[]): void {
    const button = $<HTMLButtonElement>('#fail-selected');
    button.disabled = ids.length === 0;
    button.textContent = ids.length ? `Fail selected (${ids.length})` : 'Fail selected';
  }

  add(ids: string[]): void {
    this.set([...new Set([...this.failed, ...ids])]);
  }

  set(ids: string[]): void {
    if (ids.length > this.maxItems) {
      announce(`At most ${this.maxItems} failed assets (the server's MAX_LIST_ITEMS).`, 'error');
      ids = ids.slice(0, this.maxItems);
    }
    this.failed = ids;
    this.renderFailed();
    this.actions.changed(this.failedSet());
    void this.compute();
  }

  private draw(): boolean {
    return $<HTMLInputElement>('#impact-draw').checked;
  }

  private renderFailed(): void {
    $<HTMLButtonElement>('#failed-clear').disabled = this.failed.length === 0;
    $('#failed-list').replaceChildren(
      ...(this.failed.length
        ? this.failed.map((id) =>
            el(
              'li',
              { className: 'chip' },
              el('button', { type: 'button', className: 'link', onclick: () => this.actions.focus(id) }, id),
              el('button', { type: 'button', className: 'remove', 'aria-label': `Remove ${id} from the failed set`, onclick: () => this.set(this.failed.filter((f) => f !== id)) }, '×'),
            ),
          )
        : [el('li', { className: 'muted' }, 'Nothing failed. Select assets in the graph and press "Fail selected", or add an id.')]),
    );
  }

  private async compute(): Promise<void> {
    const ticket = ++this.ticket;
    const summary = $('#impact-summary');
    if (!this.failed.length) {
      this.report = undefined;
      summary.textContent = '';
      $('#impact-table').hidden = true;
      await this.actions.showImpact(undefined, false);
      announce('Nothing failed: the graph shows live status again.');
      return;
    }
    summary.textContent = 'Computing impact…';
    try {
      const { impact } = await this.api.request<ImpactData>(IMPACT, { failed: this.failed });
      if (ticket !== this.ticket) return;
      this.report = impact;
      summary.replaceChildren(
        el('span', { id: 'impact-down-count' }, `${impact.down.length} DOWN`),
        ' · ',
        el('span', { id: 'impact-at-risk-count' }, `${impact.atRisk.length} AT RISK`),
        ' · ',
        `${impact.failed.length} failed`,
      );
      this.renderTable([...impact.down, ...impact.atRisk]);
      await this.actions.showImpact(impact, this.draw());
      announce(`Impact of ${impact.failed.join(', ')}: ${impact.down.length} DOWN, ${impact.atRisk.length} AT RISK.`);
    } catch (err) {
      if (ticket !== this.ticket) return;
      summary.textContent = `Impact failed: ${describeError(err)}`;
      announce(`Impact failed: ${describeError(err)}`, 'error');
    }
  }

  private renderTable(rows: Impacted[]): void {
    const table = $('#impact-table');
    table.hidden = rows.length === 0;
    $('tbody', table).replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { 'data-id': r.asset.id, 'data-state': r.state },
          el('td', {}, el('span', { className: 'swatch', style: `background:${impactColour(r.state)}`, 'aria-hidden': 'true' }), r.state === 'AT_RISK' ? ' AT RISK' : ` ${r.state}`),
          el('td', {}, el('button', { type: 'button', className: 'link', onclick: () => this.actions.focus(r.asset.id) }, r.asset.id)),
          el('td', {}, r.asset.kind),
          el('td', {}, String(r.depth)),
          el('td', {}, r.cause ?? '—'),
        ),
      ),
    );
  }
}
