/**
 * A chosen metric of the shown asset over a chosen window, from `Asset.historyBuckets` (computed
 * by the history store): the average per bucket as a line, min to max as a band, drawn with
 * uPlot. A sentence under the chart says the same in words.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { describeError, type Api } from './api';
import { $, el, number } from './dom';
import { HISTORY, type Bucket, type HistoryData } from './operations';

/** At most this many buckets per window (one more where the window starts inside one), whatever its length. */
const BUCKETS = 60;
/**
 * Bucket widths (s) a chart picks from: round ones, and from 15 minutes on whole quarters, which
 * the history store answers from its quarter-hour rollups instead of every reading.
 */
const WIDTHS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400];

/** The smallest round width that gives at most BUCKETS buckets over the window. */
const bucketWidth = (windowSeconds: number) => WIDTHS.find((w) => windowSeconds / w <= BUCKETS) ?? Math.ceil(windowSeconds / BUCKETS);

export class HistoryChart {
  private assetId: string | undefined;
  private plot: uPlot | undefined;
  private ticket = 0;
  private refresh: number | undefined;

  constructor(private readonly api: Api) {
    $('#history-metric').addEventListener('change', () => void this.load());
    $('#history-window').addEventListener('change', () => void this.load());
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe($('#history-chart'));
  }

  /** Offer the asset's numeric metrics (those it has reported), keeping the chosen one when it has it. */
  showAsset(id: string, state: Record<string, unknown> | null): void {
    const changed = id !== this.assetId;
    this.assetId = id;
    const metrics = Object.keys(state ?? {})
      .filter((k) => typeof (state ?? {})[k] === 'number')
      .sort();
    const select = $<HTMLSelectElement>('#history-metric');
    const previous = select.value;
    select.replaceChildren(...metrics.map((m) => el('option', { value: m }, m)));
    if (metrics.includes(previous)) select.value = previous;
    $('#history').hidden = false;
    if (!metrics.length) {
      this.clear('No numeric metric reported yet: report state (reportState or POST /ingest) to see its history.');
      return;
    }
    if (changed || select.value !== previous) void this.load();
  }

  /** A live report of the shown asset: new metrics appear, and the chart catches up (at most once a second). */
  liveUpdate(state: Record<string, unknown>): void {
    if (!this.assetId) return;
    const select = $<HTMLSelectElement>('#history-metric');
    const known = new Set([...select.options].map((o) => o.value));
    if (Object.keys(state).some((k) => typeof state[k] === 'number' && !known.has(k))) this.showAsset(this.assetId, state);
    window.clearTimeout(this.refresh);
    this.refresh = window.setTimeout(() => void this.load(), 1000);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(240, $('#history-chart').clientWidth), height: 180 };
  }

  private clear(message: string): void {
    this.plot?.destroy();
    this.plot = undefined;
    $('#history-chart').replaceChildren();
    $('#history-summary').textContent = message;
  }

  private async load(): Promise<void> {
    const id = this.assetId;
    const metric = $<HTMLSelectElement>('#history-metric').value;
    if (!id || !metric) return;
    const windowSeconds = Number($<HTMLSelectElement>('#history-window').value);
    const every = bucketWidth(windowSeconds);
    // Buckets on multiples of their width (as other dashboards draw them), so that from 15 minutes
    // on the history store answers from whole quarter-hour rollups.
    const to = new Date();
    const from = new Date(Math.floor((to.getTime() - windowSeconds * 1000) / (every * 1000)) * every * 1000);
    const ticket = ++this.ticket;
    try {
      const { asset } = await this.api.request<HistoryData>(HISTORY, { id, metric, from: from.toISOString(), to: to.toISOString(), every });
      if (ticket !== this.ticket) return;
      this.draw(metric, asset?.historyBuckets ?? [], every, from, to);
    } catch (err) {
      this.clear(`History not available: ${describeError(err)}`);
    }
  }

  private draw(metric: string, buckets: Bucket[], every: number, from: Date, to: Date): void {
    const numeric = buckets.filter((b) => b.avg !== null && b.avg !== undefined);
    if (!numeric.length) {
      this.clear(`No ${metric} readings between ${from.toLocaleTimeString()} and ${to.toLocaleTimeString()}.`);
      return;
    }
    const xs = numeric.map((b) => Date.parse(b.start) / 1000);
    const data: uPlot.AlignedData = [xs, numeric.map((b) => b.min ?? null), numeric.map((b) => b.avg ?? null), numeric.map((b) => b.max ?? null)];
    this.plot?.destroy();
    $('#history-chart').replaceChildren();
    this.plot = new uPlot(
      {
        ...this.size(),
        title: `${metric} (${every} s buckets)`,
        scales: { x: { time: true, range: [from.getTime() / 1000, to.getTime() / 1000] } },
        series: [
          {},
          { label: 'min', stroke: '#8fb3d9', width: 1 },
          { label: 'avg', stroke: '#1f5fa8', width: 2, points: { show: numeric.length < 40 } },
          { label: 'max', stroke: '#8fb3d9', width: 1 },
        ],
        bands: [{ series: [3, 1], fill: 'rgba(31, 95, 168, 0.12)' }],
      },
      data,
      $('#history-chart'),
    );
    const readings = numeric.reduce((n, b) => n + b.count, 0);
    const min = Math.min(...numeric.map((b) => b.min ?? Infinity));
    const max = Math.max(...numeric.map((b) => b.max ?? -Infinity));
    const last = numeric[numeric.length - 1];
    $('#history-summary').textContent = `${metric}: ${readings} readings in ${numeric.length} buckets of ${every} s; min ${number(min)}, max ${number(max)}, latest bucket average ${number(last.avg)}.`;
  }
}
