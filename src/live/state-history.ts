import type { StateWrite } from '../graph/types';
import type { HistoryStore, Observation, ObservationKey } from '../history/history-store';
import type { Logger } from '../logger';

/** How often old observations are pruned (on the next write after this long). */
const PRUNE_EVERY_MS = 3_600_000;

const keyOf = (k: ObservationKey) => `${k.assetId}\u0000${k.metric}\u0000${k.observedAt}`;

/**
 * What ingestion keeps in history: every value of every report that passed validation. It is
 * written *before* the latest state, so that a report acknowledged to its client is always in
 * history (a failing history fails the report, which the client retries; a retry adds nothing
 * twice). Values of reports the store then did not keep (DUPLICATE, REJECTED) are taken back.
 */
export class StateHistory {
  private lastPrune = 0;

  constructor(
    readonly store: HistoryStore,
    private readonly retention: { retentionDays: number; rollupRetentionDays?: number },
    private readonly logger: Logger,
  ) {}

  /** Record the values of `writes`; returns, per write, the keys that were new. */
  async record(writes: StateWrite[]): Promise<ObservationKey[][]> {
    const observations: Observation[] = writes.flatMap((w) => Object.entries(w.values).map(([metric, value]) => ({ assetId: w.assetId, metric, observedAt: w.observedAt, value })));
    const fresh = new Set((await this.store.record(observations)).map(keyOf));
    await this.pruneNowAndThen();
    return writes.map((w) =>
      Object.keys(w.values)
        .map((metric) => ({ assetId: w.assetId, metric, observedAt: w.observedAt }))
        .filter((k) => fresh.has(keyOf(k))),
    );
  }

  /** Take back what `record` added for reports that were not kept. */
  async forget(keys: ObservationKey[]): Promise<void> {
    if (keys.length) await this.store.forget(keys);
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const before = ago(this.retention.retentionDays);
    const rollupsBefore = this.retention.rollupRetentionDays === undefined ? undefined : ago(this.retention.rollupRetentionDays);
    try {
      const removed = await this.store.prune(before, rollupsBefore);
      if (removed) this.logger.info({ removed, before }, 'pruned state history');
    } catch (err) {
      this.logger.error({ err }, 'could not prune state history');
    }
  }
}
