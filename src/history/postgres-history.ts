import pg from 'pg';
import { DomainError, unavailable } from '../errors';
import type { Scalar } from '../graph/types';
import { bucketsOf, bucketStartOf, rollupsServe, type BucketPart } from './bucket-parts';
import type { Bucket, BucketsQuery, HistoryStore, Observation, ObservationKey, Sample, SamplesQuery } from './history-store';

/**
 * Observations in PostgreSQL (HISTORY_URL): one table partitioned by day on `observed_at`, each
 * day's partition created when its first observation arrives, so that retention drops whole
 * days instead of deleting rows. The primary key (asset, metric, time) keeps a repeat once and
 * serves every query (one asset's metric over a time range).
 */
const TABLE = 'twin_observations';
const DAY_MS = 86_400_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  asset_id text NOT NULL,
  metric text NOT NULL,
  observed_at timestamptz NOT NULL,
  value jsonb NOT NULL,
  num double precision,
  PRIMARY KEY (asset_id, metric, observed_at)
) PARTITION BY RANGE (observed_at)`;

/** Hourly rollups of what retention removed (see bucket-parts.ts): far fewer rows, one table. */
const ROLLUPS = `${TABLE}_hourly`;
const ROLLUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${ROLLUPS} (
  asset_id text NOT NULL,
  metric text NOT NULL,
  hour timestamptz NOT NULL,
  n bigint NOT NULL,
  num_n bigint NOT NULL,
  num_sum double precision,
  num_min double precision,
  num_max double precision,
  first jsonb NOT NULL,
  first_at timestamptz NOT NULL,
  last jsonb NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (asset_id, metric, hour)
)`;

/**
 * Roll up the observations of `source` (the table or one day's partition) before $1 into
 * hourly rollups, merged into those already there (late observations of a rolled-up hour).
 */
const rollUp = (source: string) => `
INSERT INTO ${ROLLUPS} AS r (asset_id, metric, hour, n, num_n, num_sum, num_min, num_max, first, first_at, last, last_at)
SELECT asset_id, metric, date_trunc('hour', observed_at), count(*), count(num), sum(num), min(num), max(num),
       (array_agg(value ORDER BY observed_at))[1], min(observed_at), (array_agg(value ORDER BY observed_at DESC))[1], max(observed_at)
FROM ${source} WHERE observed_at < $1
GROUP BY asset_id, metric, date_trunc('hour', observed_at)
ON CONFLICT (asset_id, metric, hour) DO UPDATE SET
  n = r.n + excluded.n,
  num_n = r.num_n + excluded.num_n,
  num_sum = CASE WHEN r.num_sum IS NULL THEN excluded.num_sum WHEN excluded.num_sum IS NULL THEN r.num_sum ELSE r.num_sum + excluded.num_sum END,
  num_min = least(r.num_min, excluded.num_min),
  num_max = greatest(r.num_max, excluded.num_max),
  first = CASE WHEN excluded.first_at < r.first_at THEN excluded.first ELSE r.first END,
  first_at = least(r.first_at, excluded.first_at),
  last = CASE WHEN excluded.last_at > r.last_at THEN excluded.last ELSE r.last END,
  last_at = greatest(r.last_at, excluded.last_at)`;

/**
 * Advisory lock key that serialises this table's DDL across instances: two API processes
 * creating the table or a day's partition at once would otherwise race in the catalog
 * (duplicate-key or deadlock errors even with IF NOT EXISTS).
 */
const DDL_LOCK = 7_301_042;
/** "no partition of relation found for row". */
const NO_PARTITION = '23514';
/** Server errors that mean "the server is going away or the connection broke": retry later. */
const UNREACHABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

const partitionName = (day: number) => `${TABLE}_${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY_MS) * DAY_MS;

export class PostgresHistory implements HistoryStore {
  readonly backend = 'postgres';
  private readonly pool: pg.Pool;
  /** Days whose partition exists (created by this process or found). */
  private readonly days = new Set<number>();

  constructor(url: string) {
    // work_mem: the planner cannot tell how few buckets a query makes, so with the default 4 MB
    // it sorts every observation to group them; with 16 MB it hashes them (43,200 observations in
    // 720 buckets take 2 MB). At most `max` connections use it at once.
    this.pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, options: '-c work_mem=16MB' });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.ddl(SCHEMA);
    await this.ddl(ROLLUP_SCHEMA);
    const { rows } = await this.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
      [TABLE],
    );
    for (const { name } of rows) {
      const m = /_(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (m) this.days.add(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async record(observations: Observation[]): Promise<ObservationKey[]> {
    if (observations.length === 0) return [];
    try {
      return await this.insert(observations);
    } catch (err) {
      // A day's partition dropped meanwhile (retention by another instance): find them again, once.
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      this.days.clear();
      await this.init();
      return this.insert(observations);
    }
  }

  private async insert(observations: Observation[]): Promise<ObservationKey[]> {
    for (const day of new Set(observations.map((o) => dayOf(o.observedAt)))) await this.ensurePartition(day);
    const { rows } = await this.query<{ asset_id: string; metric: string; observed_at: Date }>(
      `INSERT INTO ${TABLE} (asset_id, metric, observed_at, value, num)
       SELECT a, m, t, v::jsonb, n FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::float8[]) AS o(a, m, t, v, n)
       ON CONFLICT DO NOTHING
       RETURNING asset_id, metric, observed_at`,
      [
        observations.map((o) => o.assetId),
        observations.map((o) => o.metric),
        observations.map((o) => o.observedAt),
        observations.map((o) => JSON.stringify(o.value)),
        observations.map((o) => (typeof o.value === 'number' ? o.value : null)),
      ],
    );
    return rows.map((r) => ({ assetId: r.asset_id, metric: r.metric, observedAt: r.observed_at.toISOString() }));
  }

  async forget(keys: ObservationKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.query(
      `DELETE FROM ${TABLE} o USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(a, m, t)
       WHERE o.asset_id = k.a AND o.metric = k.m AND o.observed_at = k.t`,
      [keys.map((k) => k.assetId), keys.map((k) => k.metric), keys.map((k) => k.observedAt)],
    );
  }

  async samples(q: SamplesQuery): Promise<Sample[]> {
    const { rows } = await this.query<{ metric: string; observed_at: Date; value: Scalar }>(
      `SELECT metric, observed_at, value FROM ${TABLE}
       WHERE asset_id = $1 AND (cardinality($2::text[]) = 0 OR metric = ANY($2)) AND observed_at >= $3 AND ($4::timestamptz IS NULL OR observed_at < $4)
         AND ($5::timestamptz IS NULL OR (observed_at, metric) > ($5, $6::text))
       ORDER BY observed_at, metric LIMIT $7`,
      [q.assetId, q.metrics, q.from, q.to ?? null, q.after?.observedAt ?? null, q.after?.metric ?? null, q.limit],
    );
    return rows.map((r) => ({ metric: r.metric, observedAt: r.observed_at.toISOString(), value: r.value }));
  }

  async buckets(q: BucketsQuery): Promise<Map<string, Bucket[]>> {
    // Each bucket's first and last value cost an ordered aggregate each: only when wanted.
    const ends = (q.ends ?? true) ? '(array_agg(value ORDER BY observed_at))[1] AS first, (array_agg(value ORDER BY observed_at DESC))[1] AS last' : 'NULL::jsonb AS first, NULL::jsonb AS last';
    // date_bin gives each bucket's start in integer arithmetic (extract(epoch) is numeric, several times slower).
    const { rows } = await this.query<{ asset_id: string; b: Date; n: string; nn: string; sum: number | null; min: number | null; max: number | null; t0: Date; t1: Date; first: Scalar; last: Scalar }>(
      `SELECT asset_id, date_bin($5 * interval '1 second', observed_at, $3::timestamptz) AS b, count(*) AS n, count(num) AS nn, sum(num) AS sum, min(num) AS min, max(num) AS max,
              min(observed_at) AS t0, max(observed_at) AS t1,
              ${ends}
       FROM ${TABLE}
       WHERE asset_id = ANY($1) AND metric = $2 AND observed_at >= $3 AND ($4::timestamptz IS NULL OR observed_at < $4)
       GROUP BY asset_id, b`,
      [q.assetIds, q.metric, q.from, q.to ?? null, q.everySeconds],
    );
    const parts = new Map<string, BucketPart[]>(q.assetIds.map((id) => [id, []]));
    for (const r of rows) {
      parts.get(r.asset_id)?.push({ start: r.b.getTime(), count: Number(r.n), numCount: Number(r.nn), sum: r.sum, min: r.min, max: r.max, first: r.first, firstAt: r.t0.getTime(), last: r.last, lastAt: r.t1.getTime() });
    }
    if (rollupsServe(q)) {
      // Whole hours of the window only.
      const { rows: rollups } = await this.query<{ asset_id: string; hour: Date; n: string; num_n: string; num_sum: number | null; num_min: number | null; num_max: number | null; first: Scalar; first_at: Date; last: Scalar; last_at: Date }>(
        `SELECT * FROM ${ROLLUPS} WHERE asset_id = ANY($1) AND metric = $2 AND hour >= $3 AND ($4::timestamptz IS NULL OR hour <= $4::timestamptz - interval '1 hour')`,
        [q.assetIds, q.metric, q.from, q.to ?? null],
      );
      for (const r of rollups) {
        parts.get(r.asset_id)?.push({
          start: bucketStartOf(q, r.hour.getTime()),
          count: Number(r.n),
          numCount: Number(r.num_n),
          sum: r.num_sum,
          min: r.num_min,
          max: r.num_max,
          first: r.first,
          firstAt: r.first_at.getTime(),
          last: r.last,
          lastAt: r.last_at.getTime(),
        });
      }
    }
    return bucketsOf(parts);
  }

  async stateAt(assetId: string, asOf: string): Promise<Record<string, Scalar>> {
    const { rows } = await this.query<{ metric: string; value: Scalar }>(
      `SELECT DISTINCT ON (metric) metric, value FROM ${TABLE} WHERE asset_id = $1 AND observed_at <= $2 ORDER BY metric, observed_at DESC`,
      [assetId, asOf],
    );
    return Object.fromEntries(rows.map((r) => [r.metric, r.value]));
  }

  async valuesAt(assetIds: string[], metric: string, asOf: string): Promise<Map<string, Scalar>> {
    // One index seek per asset: its newest observation of the metric at or before asOf.
    const { rows } = await this.query<{ asset_id: string; value: Scalar }>(
      `SELECT a.id AS asset_id, o.value FROM unnest($1::text[]) AS a(id)
       CROSS JOIN LATERAL (SELECT value FROM ${TABLE} WHERE asset_id = a.id AND metric = $2 AND observed_at <= $3 ORDER BY observed_at DESC LIMIT 1) o`,
      [assetIds, metric, asOf],
    );
    return new Map(rows.map((r) => [r.asset_id, r.value]));
  }

  async prune(before: string, rollupsBefore?: string): Promise<number> {
    // Whole days first (a partition dropped), then the rest of the cut-off day row by row; each
    // rolled up first in the same transaction when rollups are on.
    let removed = 0;
    const cut = Date.parse(before);
    for (const day of [...this.days].filter((d) => d + DAY_MS <= cut)) {
      const partition = partitionName(day);
      removed += await this.inTransaction(async (client) => {
        if (rollupsBefore !== undefined) await client.query(rollUp(partition), [before]);
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${partition}`);
        await client.query(`DROP TABLE IF EXISTS ${partition}`);
        return Number(rows[0].n);
      });
      this.days.delete(day);
    }
    removed += await this.inTransaction(async (client) => {
      if (rollupsBefore !== undefined) {
        await client.query(rollUp(TABLE), [before]);
        await client.query(`DELETE FROM ${ROLLUPS} WHERE hour < $1`, [rollupsBefore]);
      }
      return (await client.query(`DELETE FROM ${TABLE} WHERE observed_at < $1`, [before])).rowCount ?? 0;
    });
    return removed;
  }

  /** `work` in one transaction on one client (DDL under the advisory lock, see DDL_LOCK). */
  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch(failure);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      failure(err);
    } finally {
      client.release();
    }
  }

  private async ensurePartition(day: number): Promise<void> {
    if (this.days.has(day)) return;
    await this.ddl(
      `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF ${TABLE} FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
    );
    this.days.add(day);
  }

  /** One DDL statement under the advisory lock (see DDL_LOCK), in its own transaction. */
  private async ddl(text: string): Promise<void> {
    await this.inTransaction((client) => client.query(text));
  }

  private async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>> {
    return this.pool.query<Row>(text, values).catch(failure);
  }
}

/**
 * Rethrow a pg error as what callers act on: a server error (DatabaseError) is a real failure,
 * unless it says the server is going away; anything else (refused, reset, "Connection
 * terminated") is the connection: UNAVAILABLE, retry.
 */
function failure(err: unknown): never {
  if (err instanceof DomainError) throw err;
  const code = (err as { code?: string }).code;
  if (!(err instanceof pg.DatabaseError) || (code && UNREACHABLE.has(code))) {
    throw unavailable(`the history database cannot be reached (${code ?? (err as Error).message}); retry`, { store: 'history' });
  }
  throw err;
}
