import type { RejectedReport, StateApplied, StateWrite, StoredRejectedReport } from '../types';

/** Live state: the latest observation per metric of each asset, and the quarantine of rejected reports. */
export interface LiveStateStore {
  /**
   * Apply validated state reports in one transaction, in order, and return one outcome each.
   * Per metric, last writer wins by `observedAt`: a metric moves only when the report is newer
   * than the stored observation. A report that moves at least one metric is ACCEPTED (the asset's
   * version goes up and `status` follows the `status` metric); one that moves none is STALE; a
   * report whose `eventId` was seen within `eventRetentionMs` (in this batch or before) is
   * DUPLICATE; an unknown asset is REJECTED. Safe under concurrent batches for the same asset.
   */
  applyState(reports: StateWrite[], opts: { eventRetentionMs: number }): Promise<StateApplied[]>;

  /** Add rejected reports to the quarantine, then drop the oldest beyond `keep`. */
  quarantine(reports: RejectedReport[], keep: number): Promise<void>;

  /** Quarantined reports, newest first; `after` is the id of the last report of the previous page. */
  listQuarantine(limit: number, after?: string): Promise<{ reports: StoredRejectedReport[]; hasNextPage: boolean }>;
}
