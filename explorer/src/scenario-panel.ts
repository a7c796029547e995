/**
 * Scenarios: run IMPACT, RELIABILITY or LOAD (`runScenario`), follow the run through
 * `scenarioRunUpdated`, then show its results on the graph and in a table; list recent runs and
 * compare two (`compareScenarios`).
 */
import { describeError, type Api, type Live } from './api';
import { availabilityColour, impactColour, loadColour } from './colours';
import { $, announce, el, number, percent, scalar, time } from './dom';
import {
  CANCEL_SCENARIO,
  COMPARE,
  RESULT_PAGE,
  RUN_LIST,
  RUN_RESULTS,
  RUN_SCENARIO,
  RUN_UPDATED,
  RUNS,
  SCENARIO_RUN,
  type CancelScenarioData,
  type CompareData,
  type RunFields,
  type RunResult,
  type RunResultsData,
  type RunScenarioData,
  type RunsData,
  type RunUpdatedData,
  type ScenarioInput,
  type ScenarioKind,
  type ScenarioRunData,
} from './operations';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/**
 * How often a followed run that is not final is read again. An update published after the
 * catch-up read but before the server has started the subscription (they travel on two
 * connections) reaches nobody; a short run can end in that gap, and the page would wait forever.
 */
const RECHECK_MS = 2_000;
/** Results kept for drawing and listing (pages of RESULT_PAGE). */
const MAX_RESULTS = 5000;
const TABLE_ROWS = 100;

export interface ScenarioSettings {
  maxSamples: number;
  defaultSamples: number;
}

export interface ScenarioPanelActions {
  failedSet(): string[];
  /** The graph's root and depth, for a scenario scoped around it. */
  scope(): { root: string; depth: number } | undefined;
  showResults(run: RunFields, results: Map<string, RunResult>): void;
  focus(id: string): void;
}

export class ScenarioPanel {
  private run: RunFields | undefined;
  private stopUpdates: (() => void) | undefined;
  private results: RunResult[] = [];
  private showAll = false;
  private compareA: string | undefined;
  private compareB: string | undefined;

  constructor(
    private readonly api: Api,
    private readonly live: Live,
    private readonly settings: ScenarioSettings,
    private readonly actions: ScenarioPanelActions,
  ) {
    const samples = $<HTMLInputElement>('#scenario-samples');
    samples.value = String(Math.min(settings.defaultSamples, settings.maxSamples));
    samples.max = String(settings.maxSamples);
    $('#scenario-kind').addEventListener('change', () => this.kindChanged());
    $('#scenario-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    $('#scenario-cancel').addEventListener('click', () => void this.cancel());
    $('#scenario-results-more').addEventListener('click', () => {
      this.showAll = true;
      this.renderResults();
    });
    $('#runs-refresh').addEventListener('click', () => void this.loadRuns());
    $('#runs-compare').addEventListener('click', () => void this.compare());
    this.kindChanged();
  }

  setKinds(kinds: string[]): void {
    $('#scenario-factor-kind').append(...kinds.map((k) => el('option', { value: k }, k)));
    $<HTMLSelectElement>('#scenario-factor-kind').value = kinds.includes('Server') ? 'Server' : '';
  }

  /** The graph or the failed set changed: the form says what a run would use. */
  contextChanged(): void {
    const scope = this.actions.scope();
    $('#scenario-root').textContent = scope ? `${scope.root}, within ${scope.depth} hops` : "the graph's asset (open one first)";
    const rootOption = document.querySelector<HTMLInputElement>('input[name="scenario-scope"][value="root"]');
    if (rootOption) rootOption.disabled = !scope;
    if (!scope && rootOption?.checked) document.querySelector<HTMLInputElement>('input[name="scenario-scope"][value="twin"]')!.checked = true;
    const kind = this.kind();
    const failed = this.actions.failedSet();
    const text =
      kind === 'RELIABILITY'
        ? 'RELIABILITY samples independent failures of every asset from its availability (or MTBF/MTTR).'
        : failed.length
          ? `Fails the what-if set: ${failed.join(', ')}.`
          : kind === 'IMPACT'
            ? 'IMPACT needs a failed set: add assets on the What if tab first.'
            : 'No failed set: the load flows with everything up (add assets on the What if tab to see failover).';
    $('#scenario-failed').textContent = text;
  }

  private kind(): ScenarioKind {
    return $<HTMLSelectElement>('#scenario-kind').value as ScenarioKind;
  }

  private kindChanged(): void {
    const kind = this.kind();
    for (const row of document.querySelectorAll<HTMLElement>('#scenario-form [data-kind]')) row.hidden = row.dataset.kind !== kind;
    this.contextChanged();
  }

  private input(): ScenarioInput {
    const kind = this.kind();
    const input: ScenarioInput = { kind };
    const scope = document.querySelector<HTMLInputElement>('input[name="scenario-scope"]:checked')?.value;
    const around = this.actions.scope();
    if (scope === 'root' && around) Object.assign(input, { roots: [around.root], maxDepth: around.depth });
    const failed = this.actions.failedSet();
    if (kind !== 'RELIABILITY' && failed.length) input.failed = failed;
    if (kind === 'RELIABILITY') input.samples = Number($<HTMLInputElement>('#scenario-samples').value);
    if (kind === 'LOAD') {
      const factorKind = $<HTMLSelectElement>('#scenario-factor-kind').value;
      const factor = Number($<HTMLInputElement>('#scenario-factor').value);
      if (factorKind && Number.isFinite(factor)) input.loadFactors = [{ kind: factorKind, factor }];
    }
    const seed = $<HTMLInputElement>('#scenario-seed').value.trim();
    if (seed) input.seed = Number(seed);
    return input;
  }

  private async submit(): Promise<void> {
    const button = $<HTMLButtonElement>('#scenario-run');
    button.disabled = true;
    try {
      const { runScenario } = await this.api.request<RunScenarioData>(RUN_SCENARIO, { input: this.input() });
      this.follow(runScenario);
      void this.loadRuns();
    } catch (err) {
      this.showCard();
      $('#scenario-status').textContent = `Could not start the scenario: ${describeError(err)}`;
      announce(`Could not start the scenario: ${describeError(err)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  private showCard(): void {
    $('#scenario-current').hidden = false;
  }

  /** Watch a run: its updates over the WebSocket, with a read to catch up on what came before, again every RECHECK_MS until it ends. */
  follow(run: RunFields): void {
    this.stopUpdates?.();
    this.run = run;
    this.results = [];
    this.showAll = false;
    this.showCard();
    $('#scenario-summary').replaceChildren();
    $('#scenario-results-count').textContent = '';
    $('#scenario-results thead').replaceChildren();
    $('#scenario-results tbody').replaceChildren();
    $('#scenario-results-more').hidden = true;
    this.renderRun(run);
    if (FINAL.has(run.status)) {
      void this.finished(run);
      return;
    }
    const unsubscribe = this.live.subscribe<RunUpdatedData>(RUN_UPDATED, { id: run.id }, {
      next: ({ scenarioRunUpdated }) => this.update(scenarioRunUpdated),
      error: (err) => announce(`Run updates stopped: ${describeError(err)}`, 'error'),
    });
    // A failed read is tried again at the next tick.
    const recheck = () =>
      void this.api.request<ScenarioRunData>(SCENARIO_RUN, { id: run.id }).then(({ scenarioRun }) => scenarioRun && this.update(scenarioRun), () => undefined);
    const timer = setInterval(recheck, RECHECK_MS);
    this.stopUpdates = () => {
      unsubscribe();
      clearInterval(timer);
    };
    recheck();
  }

  private update(run: RunFields): void {
    if (!this.run || run.id !== this.run.id) return;
    // Updates may arrive out of order with the catch-up read: a final status is never undone.
    if (FINAL.has(this.run.status)) return;
    this.run = run;
    this.renderRun(run);
    if (FINAL.has(run.status)) {
      this.stopUpdates?.();
      this.stopUpdates = undefined;
      void this.finished(run);
    }
  }

  private renderRun(run: RunFields): void {
    const pct = Math.round(run.progress * 100);
    $('#scenario-current-title').textContent = `${run.kind} run ${run.id}`;
    $('#scenario-status').textContent =
      run.status === 'RUNNING' ? `RUNNING: ${pct} %` : run.status === 'FAILED' ? `FAILED: ${run.error ?? 'no reason given'}` : run.status;
    $('#scenario-status').dataset.status = run.status;
    $<HTMLProgressElement>('#scenario-progress').value = run.status === 'SUCCEEDED' ? 1 : run.progress;
    $('#scenario-cancel').hidden = FINAL.has(run.status);
  }

  private async finished(run: RunFields): Promise<void> {
    announce(`${run.kind} scenario ${run.status}.`, run.status === 'FAILED' ? 'error' : 'info');
    void this.loadRuns();
    const summary = (run.summary ?? {}) as Record<string, unknown>;
    $('#scenario-summary').replaceChildren(...Object.keys(summary).flatMap((k) => [el('dt', {}, k), el('dd', {}, summaryValue(summary[k]))]));
    if (run.status !== 'SUCCEEDED') return;
    try {
      const { results, total } = await this.loadResults(run.id);
      if (this.run?.id !== run.id) return;
      this.results = results.sort(order(run.kind));
      this.actions.showResults(run, new Map(this.results.map((r) => [r.assetId, r])));
      this.renderResults();
      // Last, once the graph and the table show them.
      $('#scenario-results-count').textContent = `${total} results${results.length < total ? ` (the first ${results.length} loaded)` : ''}`;
    } catch (err) {
      $('#scenario-results-count').textContent = `Could not load the results: ${describeError(err)}`;
    }
  }

  private async loadResults(id: string): Promise<{ results: RunResult[]; total: number }> {
    const all: RunResult[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const data: RunResultsData = await this.api.request<RunResultsData>(RUN_RESULTS, { id, first: RESULT_PAGE, after });
      if (!data.scenarioRun) break;
      const { results } = data.scenarioRun;
      total = results.totalCount;
      all.push(...results.nodes);
      after = results.pageInfo.hasNextPage ? (results.pageInfo.endCursor ?? null) : null;
    } while (after && all.length < MAX_RESULTS);
    return { results: all, total };
  }

  private renderResults(): void {
    const run = this.run;
    if (!run) return;
    const rows = this.showAll ? this.results : this.results.slice(0, TABLE_ROWS);
    const asset = (r: RunResult) =>
      el('td', {}, r.asset ? el('button', { type: 'button', className: 'link', onclick: () => this.actions.focus(r.assetId) }, r.assetId) : `${r.assetId} (deleted)`);
    const swatch = (colour: string) => el('span', { className: 'swatch', style: `background:${colour}`, 'aria-hidden': 'true' });
    let head: string[];
    let cells: (r: RunResult) => HTMLElement[];
    if (run.kind === 'RELIABILITY') {
      head = ['Asset', 'Kind', 'Availability', '95 % interval'];
      cells = (r) => [asset(r), el('td', {}, r.asset?.kind ?? ''), el('td', {}, swatch(availabilityColour(r.availability)), ` ${percent(r.availability)}`), el('td', {}, `${percent(r.availabilityLow)} – ${percent(r.availabilityHigh)}`)];
    } else if (run.kind === 'LOAD') {
      head = ['Asset', 'Kind', 'Load kW', 'Utilization', 'Overloaded', 'State'];
      cells = (r) => [
        asset(r),
        el('td', {}, r.asset?.kind ?? ''),
        el('td', {}, number(r.loadKw)),
        el('td', {}, swatch(loadColour(r)), ` ${percent(r.utilization, 1)}`),
        el('td', {}, r.overloaded ? 'OVERLOADED' : 'no'),
        el('td', {}, r.state ?? ''),
      ];
    } else {
      head = ['Asset', 'Kind', 'State', 'Depth', 'Cause'];
      cells = (r) => [asset(r), el('td', {}, r.asset?.kind ?? ''), el('td', {}, swatch(impactColour(r.state ?? undefined)), ` ${r.state ?? ''}`), el('td', {}, number(r.depth)), el('td', {}, r.cause ?? '')];
    }
    $('#scenario-results thead').replaceChildren(el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h))));
    $('#scenario-results tbody').replaceChildren(...rows.map((r) => el('tr', { 'data-id': r.assetId }, cells(r))));
    const more = $<HTMLButtonElement>('#scenario-results-more');
    more.hidden = this.showAll || this.results.length <= TABLE_ROWS;
    more.textContent = `Show all ${this.results.length}`;
  }

  private async cancel(): Promise<void> {
    if (!this.run) return;
    try {
      const { cancelScenario } = await this.api.request<CancelScenarioData>(CANCEL_SCENARIO, { id: this.run.id });
      this.update(cancelScenario);
    } catch (err) {
      announce(`Could not cancel: ${describeError(err)}`, 'error');
    }
  }

  async loadRuns(): Promise<void> {
    try {
      const { scenarioRuns } = await this.api.request<RunsData>(RUNS, { first: RUN_LIST });
      const radio = (name: 'a' | 'b', run: RunFields) =>
        el('input', {
          type: 'radio',
          name: `compare-${name}`,
          value: run.id,
          'aria-label': `${name.toUpperCase()}: ${run.kind} run ${run.id}`,
          disabled: run.status !== 'SUCCEEDED',
          checked: (name === 'a' ? this.compareA : this.compareB) === run.id,
          onchange: () => {
            if (name === 'a') this.compareA = run.id;
            else this.compareB = run.id;
            this.compareReady();
          },
        });
      $('#runs-table tbody').replaceChildren(
        ...scenarioRuns.nodes.map((run) =>
          el(
            'tr',
            { 'data-id': run.id },
            el('td', {}, radio('a', run)),
            el('td', {}, radio('b', run)),
            el('td', {}, run.kind),
            el('td', {}, run.status),
            el('td', {}, time(run.submittedAt)),
            el('td', {}, el('button', { type: 'button', onclick: () => this.follow(run), 'aria-label': `Show ${run.kind} run ${run.id}` }, 'Show')),
          ),
        ),
      );
      this.compareReady();
    } catch (err) {
      announce(`Could not list runs: ${describeError(err)}`, 'error');
    }
  }

  private compareReady(): void {
    $<HTMLButtonElement>('#runs-compare').disabled = !this.compareA || !this.compareB || this.compareA === this.compareB;
  }

  private async compare(): Promise<void> {
    if (!this.compareA || !this.compareB) return;
    try {
      const { compareScenarios: c } = await this.api.request<CompareData>(COMPARE, { a: this.compareA, b: this.compareB });
      $('#compare-summary').textContent = `${c.differences.length} assets differ between A (${c.a.kind} ${c.a.id.slice(0, 8)}) and B (${c.b.kind} ${c.b.id.slice(0, 8)}).`;
      const table = $('#compare-table');
      table.hidden = c.differences.length === 0;
      $('tbody', table).replaceChildren(
        ...c.differences.map((d) =>
          el(
            'tr',
            { 'data-id': d.assetId },
            el('td', {}, d.asset ? el('button', { type: 'button', className: 'link', onclick: () => this.actions.focus(d.assetId) }, d.assetId) : `${d.assetId} (deleted)`),
            el('td', {}, d.changes.join('; ')),
          ),
        ),
      );
    } catch (err) {
      $('#compare-summary').textContent = `Could not compare: ${describeError(err)}`;
    }
  }
}

function summaryValue(v: unknown): string {
  if (typeof v === 'number') return number(v, 6);
  if (Array.isArray(v)) {
    if (!v.length) return 'none';
    return v.length > 6 ? `${v.length} entries` : v.map(summaryValue).join('; ');
  }
  if (v && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${typeof x === 'object' && x !== null ? JSON.stringify(x) : summaryValue(x)}`)
      .join(', ');
  }
  return scalar(v);
}

/** Most telling first: least available, most utilized, DOWN before AT_RISK. */
function order(kind: ScenarioKind): (a: RunResult, b: RunResult) => number {
  if (kind === 'RELIABILITY') return (a, b) => (a.availability ?? 1) - (b.availability ?? 1) || a.assetId.localeCompare(b.assetId);
  if (kind === 'LOAD') return (a, b) => (b.utilization ?? -1) - (a.utilization ?? -1) || a.assetId.localeCompare(b.assetId);
  return (a, b) => (a.state ?? '').localeCompare(b.state ?? '') * -1 || (a.depth ?? 0) - (b.depth ?? 0) || a.assetId.localeCompare(b.assetId);
}
