import type { ScenarioRunRecord } from '../graph/scenario-types';
import { CHANNELS, type PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ScenarioService } from './scenario-service';

/**
 * Drift: every SUCCEEDED LOAD run is a fidelity check of the LOAD model against observed load
 * (its summary.fidelity, see scenario-processor.ts); `FIDELITY_CHECK_INTERVAL_SECONDS` adds one
 * on a schedule (demand OBSERVED), and a check whose MAPE exceeds `DRIFT_MAPE_THRESHOLD` is drift:
 * a warning naming the worst assets, the `modelDrift` subscription, and the fidelity metrics.
 */
export interface FidelityCheck {
  runId: string;
  at: string;
  demand: string;
  compared: number;
  mape: number | null;
  rmse: number | null;
  maxAbsErrorKw: number | null;
  worst: string[];
  threshold: number;
  /** MAPE above the threshold. */
  drift: boolean;
}

/** The fidelity check a run is, or null (not a SUCCEEDED LOAD run with a fidelity). */
export function fidelityCheckOf(run: ScenarioRunRecord, threshold: number): FidelityCheck | null {
  const f = run.summary?.fidelity as { compared?: number; mape?: number | null; rmse?: number | null; maxAbsErrorKw?: number | null; worst?: string[] } | undefined;
  if (run.kind !== 'LOAD' || run.status !== 'SUCCEEDED' || !f) return null;
  const mape = f.mape ?? null;
  return {
    runId: run.id,
    at: run.finishedAt ?? run.submittedAt,
    demand: String(run.summary?.demand ?? 'MODELED'),
    compared: f.compared ?? 0,
    mape,
    rmse: f.rmse ?? null,
    maxAbsErrorKw: f.maxAbsErrorKw ?? null,
    worst: f.worst ?? [],
    threshold,
    drift: mape !== null && mape > threshold,
  };
}

/** What the watch reports checks to (the API's metrics). */
export interface FidelityObserver {
  fidelityChecked(check: FidelityCheck): void;
}

/** Runs seen, so that a check is counted once however often its run is published. */
const SEEN_MAX = 1000;

/**
 * Watches run updates (all instances' runs, through pub/sub) for fidelity checks: counts them,
 * and logs drift. With `intervalSeconds`, also submits one every so often; instances share the
 * idempotency key of each period, so a deployment runs one check per period, not one per instance.
 */
export class FidelityWatch {
  private readonly seen = new Set<string>();
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly deps: { pubsub: PubSub; scenarios: Pick<ScenarioService, 'submit'>; logger: Logger; observer?: FidelityObserver },
    private readonly options: { threshold: number; intervalSeconds?: number },
  ) {}

  start(): void {
    this.unsubscribe = this.deps.pubsub.subscribe(CHANNELS.scenario, (message) => this.seenRun(message as ScenarioRunRecord));
    const every = this.options.intervalSeconds;
    if (every) {
      this.timer = setInterval(() => void this.runCheck(every), every * 1000);
      this.timer.unref();
    }
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  private seenRun(run: ScenarioRunRecord): void {
    const check = fidelityCheckOf(run, this.options.threshold);
    if (!check || this.seen.has(check.runId)) return;
    this.seen.add(check.runId);
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value!);
    this.deps.observer?.fidelityChecked(check);
    if (check.drift) {
      this.deps.logger.warn({ runId: check.runId, mape: check.mape, threshold: check.threshold, worst: check.worst }, `model drift: LOAD is off by ${(check.mape! * 100).toFixed(1)}% (MAPE) against observed load, most at ${check.worst.join(', ')}`);
    }
  }

  private async runCheck(everySeconds: number): Promise<void> {
    const period = Math.floor(Date.now() / (everySeconds * 1000));
    try {
      await this.deps.scenarios.submit({ kind: 'LOAD', demand: 'OBSERVED', idempotencyKey: `fidelity-check-${everySeconds}-${period}` });
    } catch (err) {
      this.deps.logger.error({ err }, 'could not submit the scheduled fidelity check');
    }
  }
}
