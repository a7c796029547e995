import { int } from 'neo4j-driver';
import { applyStateWrite } from '../asset-merge';
import type { LiveStateStore } from '../ports/live-state-store';
import { TimeOrderedIds } from '../time-ordered-ids';
import type { AssetRecord, RejectedReport, StateApplied, StateWrite, StoredRejectedReport } from '../types';
import { keysetPage, lockOrder, Neo4jPart, pruneBatch, toAsset } from './neo4j-records';

/** The query files Neo4jLiveState runs. */
export const LIVE_STATE_QUERY_NAMES = [
  'state-lock',
  'state-events-lock',
  'state-events-record',
  'state-events-prune',
  'state-save',
  'quarantine-add',
  'quarantine-trim',
  'quarantine-page',
] as const;

type LiveStateQueryName = (typeof LIVE_STATE_QUERY_NAMES)[number];

/** The node properties state-save writes for an asset a state batch moved. */
function stateChanges(after: AssetRecord): Record<string, unknown> {
  return {
    _state: JSON.stringify(after.state),
    _stateObservedAt: JSON.stringify(after.stateObservedAt),
    status: after.status,
    version: int(after.version),
    updatedAt: after.updatedAt,
  };
}

/** A quarantined record back from its JSON string (kept as the raw string if it is not JSON). */
function parseRecord(raw: unknown): unknown {
  if (typeof raw !== 'string') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Most expired state events one state-events-prune call deletes. */
const PRUNE_LIMIT = 10_000;
/** How often (at most) a store prunes expired state events while it keeps up. */
const PRUNE_INTERVAL_MS = 10_000;

/**
 * Live state in Neo4j: the `_state`, `_stateObservedAt`, `status` and `version` of `(:Asset)`
 * nodes (see Neo4jTopology), received state event ids as `(:StateEvent {id, seenAt})`, and the
 * quarantine as `(:RejectedReport {id, receivedAt, assetId, reason, record})` with `record` as JSON.
 */
export class Neo4jLiveState extends Neo4jPart<LiveStateQueryName> implements LiveStateStore {
  private readonly quarantineIds = new TimeOrderedIds();
  /** When the next state-events-prune may run (Date.now() scale); 0 = at the next batch. */
  private nextPruneAt = 0;

  async applyState(reports: StateWrite[], opts: { eventRetentionMs: number }): Promise<StateApplied[]> {
    if (reports.length === 0) return [];
    const ids = lockOrder(reports.map((r) => r.assetId));
    const eventIds = lockOrder(reports.flatMap((r) => (r.eventId === undefined ? [] : [r.eventId])));
    const outcomes = await this.executor.writeTransaction(async (tx) => {
      // One clock reading per attempt (the driver may retry the body) for the write time and the horizon.
      const nowMs = Date.now();
      const now = new Date(nowMs).toISOString();
      const horizon = new Date(nowMs - opts.eventRetentionMs).toISOString();
      // Lock the batch's event ids, then its existing assets (never creating one), always in this
      // order, so concurrent batches queue instead of deadlocking. Under both locks, what we read
      // is what every earlier batch for these events and assets committed.
      const seen = new Set<string>();
      if (eventIds.length > 0) {
        for (const row of await tx.run(this.q('state-events-lock'), { eventIds })) {
          if (row.seenAt !== null && (row.seenAt as string) >= horizon) seen.add(row.eventId as string);
        }
      }
      const stored = new Map<string, AssetRecord>();
      for (const row of await tx.run(this.q('state-lock'), { ids })) {
        const asset = toAsset(row.asset as Record<string, unknown>);
        stored.set(asset.id, asset);
      }
      // The same merge as the embedded store, report by report in input order.
      const current = new Map(stored);
      const recorded = new Set<string>();
      const results = reports.map((report): StateApplied => {
        if (report.eventId !== undefined && (recorded.has(report.eventId) || seen.has(report.eventId))) {
          return { outcome: 'DUPLICATE', reason: `event ${report.eventId} was already received` };
        }
        const before = current.get(report.assetId);
        if (!before) return { outcome: 'REJECTED', reason: `unknown asset "${report.assetId}"` };
        if (report.eventId !== undefined) recorded.add(report.eventId);
        const applied = applyStateWrite(before, report, now);
        if (!applied) return { outcome: 'STALE', reason: 'every metric already has a newer or equal observation' };
        current.set(report.assetId, applied.asset);
        return { outcome: 'ACCEPTED', changed: applied.changed, asset: applied.asset };
      });
      if (stored.size > 0) {
        const rows = [...stored.keys()].map((id) => {
          const after = current.get(id)!;
          return { id, changes: after === stored.get(id) ? {} : stateChanges(after) };
        });
        await tx.run(this.q('state-save'), { rows });
      }
      if (eventIds.length > 0) await tx.run(this.q('state-events-record'), { eventIds, recorded: [...recorded], now });
      return results;
    });
    await this.pruneStateEvents(opts.eventRetentionMs);
    return outcomes;
  }

  /**
   * Delete expired state events, outside the batch transaction: expiry is already exact in
   * state-events-lock, so this is housekeeping, and doing it in every batch transaction would make
   * concurrent batches for different assets queue on the same expiring events. Runs at most every
   * PRUNE_INTERVAL_MS while it keeps up (at once again when a call hit its limit); a failure only
   * postpones it.
   */
  private async pruneStateEvents(eventRetentionMs: number): Promise<void> {
    const nowMs = Date.now();
    if (nowMs < this.nextPruneAt) return;
    this.nextPruneAt = nowMs + PRUNE_INTERVAL_MS;
    try {
      const horizon = new Date(nowMs - eventRetentionMs).toISOString();
      if ((await pruneBatch(this.executor, this.q('state-events-prune'), { horizon }, PRUNE_LIMIT)) >= PRUNE_LIMIT) this.nextPruneAt = 0;
    } catch {
      // Best effort (e.g. a concurrent prune of the same events): the next interval tries again.
    }
  }

  async quarantine(reports: RejectedReport[], keep: number): Promise<void> {
    const rows = reports.map((r) => ({
      id: this.quarantineIds.next(),
      receivedAt: r.receivedAt,
      assetId: r.assetId,
      reason: r.reason,
      record: JSON.stringify(r.record ?? null),
    }));
    await this.executor.writeTransaction(async (tx) => {
      if (rows.length > 0) await tx.run(this.q('quarantine-add'), { reports: rows });
      await tx.run(this.q('quarantine-trim'), { keep: int(Math.max(0, Math.floor(keep))) });
    });
  }

  async listQuarantine(limit: number, after?: string): Promise<{ reports: StoredRejectedReport[]; hasNextPage: boolean }> {
    const page = keysetPage(limit);
    const { rows, hasNextPage } = page.split(await this.executor.read(this.q('quarantine-page'), { after: after ?? null, limit: page.limit }));
    return {
      reports: rows.map((row) => {
        const report = row.report as Record<string, unknown>;
        return {
          id: report.id as string,
          receivedAt: report.receivedAt as string,
          assetId: (report.assetId as string | null | undefined) ?? null,
          reason: report.reason as string,
          record: parseRecord(report.record),
        };
      }),
      hasNextPage,
    };
  }
}
