import type { LiveStateStore } from '../graph/ports/live-state-store';
import type { TopologyStore } from '../graph/ports/topology-store';
import type { RejectedReport, ReportOutcome, StateWrite } from '../graph/types';
import type { Logger } from '../logger';
import type { ModelIndex } from '../model/twin-model';
import type { StateHistory } from './state-history';
import type { StateIngestObserver } from './state-ingest-observer';
import type { AssetStateEvent } from './events';
import { CHANNELS, type PubSub } from './pubsub';
import { checkMetrics, checkReportShape } from './state-report';

export interface ReportResult {
  index: number;
  assetId: string | null;
  outcome: ReportOutcome;
  reason?: string;
}

export interface IngestSummary {
  accepted: number;
  duplicate: number;
  stale: number;
  rejected: number;
  results: ReportResult[];
}

export interface StateIngestOptions {
  /** How far in the future `observedAt` may be (clock skew). */
  maxFutureSkewMs: number;
  /** How long a seen `eventId` makes a repeat a DUPLICATE. */
  eventRetentionMs: number;
  /** How many rejected reports the quarantine keeps. */
  quarantineMax: number;
}

/** How many records one store transaction applies (a bigger batch is applied chunk by chunk). */
export const INGEST_CHUNK_RECORDS = 1000;

/** The largest record kept in the quarantine as it came; bigger ones are kept truncated. */
const MAX_QUARANTINED_RECORD_CHARS = 4000;

/**
 * State ingestion, shared by `reportState` and `POST /ingest`: validate each record (shape,
 * asset, metrics), keep the valid ones in history (StateHistory, first), apply them to the latest
 * state in store transactions of up to INGEST_CHUNK_RECORDS,
 * quarantine the rejected ones, count outcomes and publish the accepted changes. Each record gets
 * its own outcome.
 */
export class StateIngestor {
  /** Outcomes counted since start, by this process. */
  readonly counts: Record<ReportOutcome, number> = { ACCEPTED: 0, DUPLICATE: 0, STALE: 0, REJECTED: 0 };

  constructor(
    private readonly store: LiveStateStore & Pick<TopologyStore, 'getAssetSummaries'>,
    private readonly model: ModelIndex,
    private readonly pubsub: PubSub,
    private readonly options: StateIngestOptions,
    private readonly logger: Logger,
    /** Told each batch's outcomes (metrics); optional. */
    private readonly observer?: StateIngestObserver,
    /** Where every kept observation goes; none: latest state only. */
    private readonly history?: StateHistory,
  ) {}

  /**
   * Ingest a batch. `indexes` numbers the results (default: position in the batch; line numbers
   * for NDJSON); `unparsed` gives, by position, the reason a record could not even be parsed.
   * A big batch is applied in chunks of INGEST_CHUNK_RECORDS, each in one store transaction and
   * published when written, so that one request does not hold the store (or, on SQLite, the
   * event loop) for the whole batch.
   */
  async ingest(records: unknown[], opts: { indexes?: number[]; unparsed?: Map<number, string> } = {}): Promise<IngestSummary> {
    const results: ReportResult[] = records.map((_, i) => ({ index: opts.indexes?.[i] ?? i, assetId: null, outcome: 'REJECTED' }));
    for (let from = 0; from < records.length; from += INGEST_CHUNK_RECORDS) {
      const positions = Array.from({ length: Math.min(INGEST_CHUNK_RECORDS, records.length - from) }, (_, k) => from + k);
      await this.ingestChunk(records, positions, results, opts.unparsed);
    }
    return this.summarize(results);
  }

  /** Validate, apply, quarantine and publish the records at `positions`, filling in their results. */
  private async ingestChunk(records: unknown[], positions: number[], results: ReportResult[], unparsed?: Map<number, string>): Promise<void> {
    const now = Date.now();
    const checked: { i: number; write: StateWrite }[] = [];
    for (const i of positions) {
      const parseError = unparsed?.get(i);
      const shape = parseError !== undefined ? { reason: parseError, assetId: null } : checkReportShape(records[i], now, this.options.maxFutureSkewMs);
      if ('reason' in shape) Object.assign(results[i], { assetId: shape.assetId, reason: shape.reason });
      else {
        results[i].assetId = shape.write.assetId;
        checked.push({ i, write: shape.write });
      }
    }

    const ids = [...new Set(checked.map((c) => c.write.assetId))];
    const assets = ids.length ? await this.store.getAssetSummaries(ids) : [];
    const kinds = new Map(assets.filter((a) => a !== null).map((a) => [a!.id, a!.kind]));
    const valid = checked.filter(({ i, write }) => {
      const kind = kinds.get(write.assetId);
      const reason = kind === undefined ? `unknown asset "${write.assetId}"` : checkMetrics(this.model, kind, write.values);
      if (reason) results[i].reason = reason;
      return reason === null;
    });

    const writes = valid.map((v) => v.write);
    // History first: what is acknowledged below is then in history too (see StateHistory).
    const recorded = this.history && writes.length ? await this.history.record(writes) : [];
    const applied = writes.length ? await this.store.applyState(writes, { eventRetentionMs: this.options.eventRetentionMs }) : [];
    await this.history?.forget(applied.flatMap((a, k) => (a.outcome === 'ACCEPTED' || a.outcome === 'STALE' ? [] : (recorded[k] ?? []))));
    const events: AssetStateEvent[] = [];
    applied.forEach((outcome, k) => {
      const { i, write } = valid[k];
      Object.assign(results[i], { outcome: outcome.outcome, reason: outcome.reason });
      if (outcome.outcome === 'ACCEPTED' && outcome.asset) {
        events.push({
          assetId: write.assetId,
          kind: outcome.asset.kind,
          changed: outcome.changed ?? {},
          observedAt: write.observedAt,
          version: outcome.asset.version,
          asset: outcome.asset,
        });
      }
    });

    const chunkResults = positions.map((i) => results[i]);
    await this.quarantineRejected(positions.map((i) => records[i]), chunkResults);
    if (events.length) {
      // The state is written; subscribers missing an event must not turn that into an error.
      await this.pubsub.publish(CHANNELS.state, events).catch((err) => this.logger.error({ err, count: events.length }, 'could not publish state events'));
    }
    this.observer?.stateBatchIngested(chunkResults.map((r) => r.outcome), events.map((e) => e.observedAt));
  }

  private async quarantineRejected(records: unknown[], results: ReportResult[]): Promise<void> {
    const receivedAt = new Date().toISOString();
    const rejected: RejectedReport[] = results
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.outcome === 'REJECTED')
      .map(({ r, i }) => ({ receivedAt, assetId: r.assetId, reason: r.reason ?? 'rejected', record: boundedRecord(records[i]) }));
    if (rejected.length === 0) return;
    try {
      await this.store.quarantine(rejected, this.options.quarantineMax);
    } catch (err) {
      // The outcomes already reached the caller; losing quarantine entries must not fail the batch.
      this.logger.error({ err, count: rejected.length }, 'could not quarantine rejected state reports');
    }
  }

  private summarize(results: ReportResult[]): IngestSummary {
    const summary: IngestSummary = { accepted: 0, duplicate: 0, stale: 0, rejected: 0, results };
    for (const r of results) {
      this.counts[r.outcome]++;
      summary[r.outcome.toLowerCase() as 'accepted' | 'duplicate' | 'stale' | 'rejected']++;
    }
    return summary;
  }
}

function boundedRecord(record: unknown): unknown {
  const text = typeof record === 'string' ? record : JSON.stringify(record ?? null);
  if (text.length <= MAX_QUARANTINED_RECORD_CHARS) return record ?? null;
  return `${text.slice(0, MAX_QUARANTINED_RECORD_CHARS)}… (${text.length} characters, truncated)`;
}
