import { applyStateWrite } from '../asset-merge';
import type { LiveStateStore } from '../ports/live-state-store';
import type { AssetRecord, RejectedReport, StateApplied, StateWrite, StoredRejectedReport } from '../types';
import type { SqliteExecutor } from './sqlite-executor';
import { deleteBefore, readPage } from './sqlite-sql';
import { readAsset } from './sqlite-topology';

interface QuarantineRow {
  id: number;
  received_at: string;
  asset_id: string | null;
  reason: string;
  record: string;
}

/**
 * Quarantine ids as the port hands them out: the row id zero-padded to a fixed width, so that
 * ids compare in insertion order as strings too ("…0010" > "…0009"), like the Neo4j adapter's.
 */
const QUARANTINE_ID_DIGITS = 16;
const quarantineId = (rowId: number) => String(rowId).padStart(QUARANTINE_ID_DIGITS, '0');

/** The row id a quarantine id stands for; null for a cursor that is not one of ours (they are all digits). */
const quarantineRowId = (id: string): number | null => (/^\d+$/.test(id) ? Number(id) : null);

const toStoredReport = (row: QuarantineRow): StoredRejectedReport => ({
  id: quarantineId(row.id),
  receivedAt: row.received_at,
  assetId: row.asset_id,
  reason: row.reason,
  record: JSON.parse(row.record) as unknown,
});

/** Live state of assets (the state columns of `assets`), the event ids seen, and the quarantine. */
export class SqliteLiveState implements LiveStateStore {
  constructor(private readonly sql: SqliteExecutor) {}

  async applyState(reports: StateWrite[], opts: { eventRetentionMs: number }): Promise<StateApplied[]> {
    const sql = this.sql;
    // One clock reading for the write time and the retention horizon, so that an event recorded
    // in this batch is always within the horizon this batch checks against.
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const horizon = new Date(nowMs - opts.eventRetentionMs).toISOString();
    const seen = (eventId: string) => sql.get('SELECT 1 AS n FROM state_events WHERE event_id = ? AND seen_at >= ?', eventId, horizon) !== undefined;
    // IMMEDIATE: take the write lock before reading, so concurrent writers cannot interleave.
    return sql.transaction(() => {
      deleteBefore(sql, 'state_events', 'seen_at', horizon);
      const current = new Map<string, AssetRecord>();
      // Event ids recorded by this batch: a repeat within the batch is a duplicate whatever the retention.
      const batchEvents = new Set<string>();
      const outcomes = reports.map((report): StateApplied => {
        if (report.eventId !== undefined && (batchEvents.has(report.eventId) || seen(report.eventId))) {
          return { outcome: 'DUPLICATE', reason: `event ${report.eventId} was already received` };
        }
        const before = current.get(report.assetId) ?? readAsset(sql, report.assetId);
        if (!before) return { outcome: 'REJECTED', reason: `unknown asset "${report.assetId}"` };
        if (report.eventId !== undefined) {
          batchEvents.add(report.eventId);
          sql.run('INSERT OR REPLACE INTO state_events (event_id, seen_at) VALUES (?, ?)', report.eventId, now);
        }
        const applied = applyStateWrite(before, report, now);
        if (!applied) return { outcome: 'STALE', reason: 'every metric already has a newer or equal observation' };
        current.set(report.assetId, applied.asset);
        return { outcome: 'ACCEPTED', changed: applied.changed, asset: applied.asset };
      });
      for (const asset of current.values()) {
        sql.run(
          `UPDATE assets SET state = @state, state_observed_at = @stateObservedAt, status = @status,
             version = @version, updated_at = @updatedAt WHERE id = @id`,
          {
            id: asset.id,
            state: JSON.stringify(asset.state),
            stateObservedAt: JSON.stringify(asset.stateObservedAt),
            status: asset.status,
            version: asset.version,
            updatedAt: asset.updatedAt,
          },
        );
      }
      return outcomes;
    }, 'immediate');
  }

  async quarantine(reports: RejectedReport[], keep: number): Promise<void> {
    this.sql.transaction(() => {
      for (const r of reports) {
        this.sql.run('INSERT INTO quarantine (received_at, asset_id, reason, record) VALUES (?, ?, ?, ?)', r.receivedAt, r.assetId, r.reason, JSON.stringify(r.record ?? null));
      }
      // Exact whatever gaps the ids have: everything older than the `keep`-th newest goes.
      this.sql.run('DELETE FROM quarantine WHERE id <= (SELECT id FROM quarantine ORDER BY id DESC LIMIT 1 OFFSET ?)', Math.max(0, Math.floor(keep)));
    });
  }

  async listQuarantine(limit: number, after?: string): Promise<{ reports: StoredRejectedReport[]; hasNextPage: boolean }> {
    const position = after === undefined ? null : quarantineRowId(after);
    // A cursor that is not one of our ids positions nowhere: an empty page.
    if (after !== undefined && position === null) return { reports: [], hasNextPage: false };
    const { rows, hasNextPage } = readPage(limit, (n) =>
      this.sql.all<QuarantineRow>('SELECT * FROM quarantine WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?', position, position, n),
    );
    return { reports: rows.map(toStoredReport), hasNextPage };
  }
}
