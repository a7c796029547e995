import type { Scalar } from '../graph/types';
import { SqliteExecutor } from '../graph/sqlite/sqlite-executor';
import { IN_LIST } from '../graph/sqlite/sqlite-sql';
import type { Bucket, BucketsQuery, HistoryStore, Observation, ObservationKey, Sample, SamplesQuery } from './history-store';

/**
 * Observations in their own SQLite file (`history.sqlite` beside `twin.sqlite`), so that history
 * never slows or locks the twin's writes. Times are integer milliseconds; `value` is JSON, and
 * `num` the value again when it is a number (what buckets average).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS observations (
  asset_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  observed_at INTEGER NOT NULL,
  value TEXT NOT NULL,
  num REAL,
  PRIMARY KEY (asset_id, metric, observed_at)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS observations_time ON observations (observed_at);
`;

const ms = (iso: string) => Date.parse(iso);
const iso = (millis: number) => new Date(millis).toISOString();
const FAR_FUTURE = 8.64e15;

interface SampleRow {
  metric: string;
  observed_at: number;
  value: string;
}

export class SqliteHistory implements HistoryStore {
  readonly backend = 'sqlite';
  private readonly sql: SqliteExecutor;

  constructor(file: string) {
    // Each batch touches one page per asset: a 64 MB cache and checkpoints every 10,000 pages
    // (40 MB of WAL) instead of 1,000 write a hot page to the file far less often (1.7x the
    // insert rate measured on a 10k-asset twin).
    this.sql = new SqliteExecutor(file, { pragmas: ['cache_size = -65536', 'wal_autocheckpoint = 10000'] });
  }

  async init(): Promise<void> {
    this.sql.open();
    this.sql.exec(SCHEMA);
  }

  async close(): Promise<void> {
    this.sql.close();
  }

  async ping(): Promise<void> {
    this.sql.get('SELECT 1');
  }

  async record(observations: Observation[]): Promise<ObservationKey[]> {
    return this.sql.transaction(() =>
      observations.filter(
        (o) =>
          this.sql.run(
            'INSERT OR IGNORE INTO observations (asset_id, metric, observed_at, value, num) VALUES (?, ?, ?, ?, ?)',
            o.assetId,
            o.metric,
            ms(o.observedAt),
            JSON.stringify(o.value),
            typeof o.value === 'number' ? o.value : null,
          ) === 1,
      ),
    ).map(({ assetId, metric, observedAt }) => ({ assetId, metric, observedAt }));
  }

  async forget(keys: ObservationKey[]): Promise<void> {
    this.sql.transaction(() => {
      for (const k of keys) this.sql.run('DELETE FROM observations WHERE asset_id = ? AND metric = ? AND observed_at = ?', k.assetId, k.metric, ms(k.observedAt));
    });
  }

  async samples(q: SamplesQuery): Promise<Sample[]> {
    const after = q.after ? [ms(q.after.observedAt), q.after.metric] : [null, null];
    const rows = this.sql.all<SampleRow>(
      `SELECT metric, observed_at, value FROM observations
       WHERE asset_id = ? AND (? = 0 OR metric ${IN_LIST}) AND observed_at >= ? AND observed_at < ?
         AND (? IS NULL OR observed_at > ? OR (observed_at = ? AND metric > ?))
       ORDER BY observed_at, metric LIMIT ?`,
      q.assetId,
      q.metrics.length,
      JSON.stringify(q.metrics),
      ms(q.from),
      q.to ? ms(q.to) : FAR_FUTURE,
      after[0],
      after[0],
      after[0],
      after[1],
      q.limit,
    );
    return rows.map((r) => ({ metric: r.metric, observedAt: iso(r.observed_at), value: JSON.parse(r.value) as Scalar }));
  }

  async buckets(q: BucketsQuery): Promise<Map<string, Bucket[]>> {
    const from = ms(q.from);
    const width = q.everySeconds * 1000;
    // Group (numbers bind as REAL: the CAST makes the bucket index whole), then fetch each bucket's first and last value by key (primary-key lookups).
    const rows = this.sql.all<{ asset_id: string; b: number; n: number; avg: number | null; min: number | null; max: number | null; first: string; last: string }>(
      `WITH g AS (
         SELECT asset_id, CAST((observed_at - @from) / @width AS INTEGER) AS b, count(*) AS n, avg(num) AS avg, min(num) AS min, max(num) AS max,
                min(observed_at) AS t0, max(observed_at) AS t1
         FROM observations
         WHERE asset_id ${IN_LIST.replace('?', '@ids')} AND metric = @metric AND observed_at >= @from AND observed_at < @to
         GROUP BY asset_id, b)
       SELECT g.asset_id, g.b, g.n, g.avg, g.min, g.max, f.value AS first, l.value AS last FROM g
       JOIN observations f ON f.asset_id = g.asset_id AND f.metric = @metric AND f.observed_at = g.t0
       JOIN observations l ON l.asset_id = g.asset_id AND l.metric = @metric AND l.observed_at = g.t1
       ORDER BY g.asset_id, g.b`,
      { ids: JSON.stringify(q.assetIds), metric: q.metric, from, to: q.to ? ms(q.to) : FAR_FUTURE, width },
    );
    const out = new Map<string, Bucket[]>(q.assetIds.map((id) => [id, []]));
    for (const r of rows) {
      out.get(r.asset_id)?.push({ start: iso(from + r.b * width), count: r.n, avg: r.avg, min: r.min, max: r.max, first: JSON.parse(r.first), last: JSON.parse(r.last) });
    }
    return out;
  }

  async stateAt(assetId: string, asOf: string): Promise<Record<string, Scalar>> {
    // With exactly one max() aggregate, SQLite takes the bare column `value` from that row.
    const rows = this.sql.all<{ metric: string; value: string }>(
      'SELECT metric, max(observed_at) AS at, value FROM observations WHERE asset_id = ? AND observed_at <= ? GROUP BY metric ORDER BY metric',
      assetId,
      ms(asOf),
    );
    return Object.fromEntries(rows.map((r) => [r.metric, JSON.parse(r.value) as Scalar]));
  }

  async prune(before: string): Promise<number> {
    return this.sql.run('DELETE FROM observations WHERE observed_at < ?', ms(before));
  }
}
