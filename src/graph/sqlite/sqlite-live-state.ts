import { applyStateWrite } from '../asset-merge';
import type { LiveStateStore } from '../ports/live-state-store';
import type { RejectedReport, StateApplied, StateWrite, StoredRejectedReport } from '../types';
import type { SqliteExecutor } from './sqlite-executor';
import { deleteBefore, IN_LIST, readPage } from './sqlite-sql';
import { toAsset, type AssetRow } from './sqlite-topology';

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
    const eventIds = [...new Set(reports.flatMap((r) => (r.eventId === undefined ? [] : [r.eventId])))];
    // IMMEDIATE: take the write lock before reading, so concurrent writers cannot interleave.
    return sql.transaction(() => {
      deleteBefore(sql, 'state_events', 'seen_at', horizon);
      // The batch's seen events and stored assets in one statement each, not one per report.
      const seen = new Set(
        eventIds.length === 0 ? [] : sql.all<{ event_id: string }>(`SELECT event_id FROM state_events WHERE event_id ${IN_LIST} AND seen_at >= ?`, JSON.stringify(eventIds), horizon).map((row) => row.event_id),
      );
      const current = new Map(sql.all<AssetRow>(`SELECT * FROM assets WHERE id ${IN_LIST}`, JSON.stringify([...new Set(reports.map((r) => r.assetId))])).map((row) => [row.id, toAsset(row)]));
      const moved = new Set<string>();
      // Event ids recorded by this batch: a repeat within the batch is a duplicate whatever the retention.
      const recorded = new Set<string>();
      const outcomes = reports.map((report): StateApplied => {
        if (report.eventId !== undefined && (recorded.has(report.eventId) || seen.has(report.eventId))) {
          return { outcome: 'DUPLICATE', reason: `event ${report.eventId} was already received` };
        }
        const before = current.get(report.assetId);
        if (!before) return { outcome: 'REJECTED', reason: `unknown asset "${report.assetId}"` };
        if (report.eventId !== undefined) recorded.add(report.eventId);
        const applied = applyStateWrite(before, report, now);
        if (!applied) return { outcome: 'STALE', reason: 'every metric already has a newer or equal observation' };
        current.set(report.assetId, applied.asset);
        moved.add(report.assetId);
        return { outcome: 'ACCEPTED', changed: applied.changed, asset: applied.asset };
      });
      if (recorded.size > 0) {
        sql.run(`INSERT OR REPLACE INTO state_events (event_id, seen_at) SELECT value, ? FROM json_each(?)`, now, JSON.stringify([...recorded]));
      }
      for (const id of moved) {
        const asset = current.get(id)!;
        sql.run(
          'UPDATE assets SET state = ?, state_observed_at = ?, status = ?, version = ?, updated_at = ? WHERE id = ?',
          JSON.stringify(asset.state),
          JSON.stringify(asset.stateObservedAt),
          asset.status,
          asset.version,
          asset.updatedAt,
          asset.id,
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
