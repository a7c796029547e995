import pg from 'pg';
import { DomainError, unavailable } from '../errors';
import type { Scalar } from '../graph/types';
import { bucketsOf, hoursServe, quarterKeysOf, quarterOf, quartersServe, SLOT_MS, type BucketPart } from './bucket-parts';
import type { Bucket, BucketsQuery, HistoryStore, Observation, ObservationKey, Sample, SamplesQuery } from './history-store';

/**
 * Observations in PostgreSQL (HISTORY_URL): one table partitioned by day on `observed_at`, each
 * day's partition created when its first observation arrives, so that retention drops whole
 * days instead of deleting rows. The primary key (asset, metric, time) keeps a repeat once and
 * serves every query (one asset's metric over a time range).
 */
const TABLE = 'twin_observations';
const DAY_MS = 86_400_000;

/** A bucket part from the database: times in ms since the epoch (see partsOf). */
interface PartRow {
  asset_id: string;
  b: number;
  n: number;
  nn: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** The ends, only when asked for (see partsOf); null in a bucket then, as on SQLite. */
  t0?: number;
  t1?: number;
  first?: Scalar;
  last?: Scalar;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  asset_id text NOT NULL,
  metric text NOT NULL,
  observed_at timestamptz NOT NULL,
  value jsonb NOT NULL,
  num double precision,
  PRIMARY KEY (asset_id, metric, observed_at)
) PARTITION BY RANGE (observed_at)`;

/**
 * Quarter-hour rollups, kept at ingest (see bucket-parts.ts). Each is updated many times in place:
 * half-empty pages let PostgreSQL update it in its page (HOT) every time, not 3 times in 4 (15%
 * less time per recorded batch, measured).
 */
const QUARTERS = `${TABLE}_quarters`;
/** Hourly rollups retention wrote before quarters were kept at ingest: read, no longer written. */
const HOURS = `${TABLE}_hourly`;
const rollupSchema = (name: string, start: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  asset_id text NOT NULL,
  metric text NOT NULL,
  ${start} timestamptz NOT NULL,
  n bigint NOT NULL,
  num_n bigint NOT NULL,
  num_sum double precision,
  num_min double precision,
  num_max double precision,
  first jsonb NOT NULL,
  first_at timestamptz NOT NULL,
  last jsonb NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (asset_id, metric, ${start})
)${name === QUARTERS ? ' WITH (fillfactor = 50)' : ''}`;

/**
 * Merge the observations of `source` (a table, CTE or subquery) into their quarters. Sorted by key, so
 * that two writers lock the rollups they share in the same order (no deadlock).
 */
const rollUp = (source: string) => `
INSERT INTO ${QUARTERS} AS r (asset_id, metric, start, n, num_n, num_sum, num_min, num_max, first, first_at, last, last_at)
SELECT asset_id, metric, date_bin('${SLOT_MS / 1000} seconds', observed_at, timestamptz 'epoch') AS start, count(*), count(num), sum(num), min(num), max(num),
       (array_agg(value ORDER BY observed_at))[1], min(observed_at), (array_agg(value ORDER BY observed_at DESC))[1], max(observed_at)
FROM ${source}
GROUP BY asset_id, metric, start
ORDER BY asset_id, metric, start
ON CONFLICT (asset_id, metric, start) DO UPDATE SET
  n = r.n + excluded.n,
  num_n = r.num_n + excluded.num_n,
  num_sum = CASE WHEN r.num_sum IS NULL THEN excluded.num_sum WHEN excluded.num_sum IS NULL THEN r.num_sum ELSE r.num_sum + excluded.num_sum END,
  num_min = least(r.num_min, excluded.num_min),
  num_max = greatest(r.num_max, excluded.num_max),
  first = CASE WHEN excluded.first_at < r.first_at THEN excluded.first ELSE r.first END,
  first_at = least(r.first_at, excluded.first_at),
  last = CASE WHEN excluded.last_at > r.last_at THEN excluded.last ELSE r.last END,
  last_at = greatest(r.last_at, excluded.last_at)`;

/*
 * Bucket queries of rollups, all with $1 asset ids, $2 metric, $3 from, $4 to ('infinity' when
 * open) and $5 the bucket width in seconds. date_bin gives each bucket's start in
 * integer arithmetic (extract(epoch) is numeric, several times slower).
 */
const bucketOf = (column: string) => `date_bin($5 * interval '1 second', ${column}, $3::timestamptz)`;
/**
 * A bucket query's parts with times as ms numbers and counts as numbers: node-postgres turns each
 * timestamptz into a Date at several µs apiece, half the time of a 9,600-bucket chart. date_part
 * is float8 (extract is numeric: two thirds of that chart's time in the database). Each column
 * costs about 2.5 ms per 10,000 rows to send and parse, so the ends only when asked.
 */
const ms = (column: string) => `date_part('epoch', ${column}) * 1000`;
const partsOf = (sql: string, ends: boolean) =>
  `SELECT asset_id, ${ms('b')} AS b, n::float8 AS n, nn::float8 AS nn, sum, min, max${ends ? `, ${ms('t0')} AS t0, ${ms('t1')} AS t1, first, last` : ''} FROM (${sql}) p`;

/** A quarter inside the window and inside one bucket. */
const WHOLE = `start >= $3 AND start + interval '${SLOT_MS / 1000} seconds' <= $4 AND start - ${bucketOf('start')} <= ($5 - ${SLOT_MS / 1000}) * interval '1 second'`;
/** Each bucket's first and last value cost an ordered aggregate each: only when wanted. */
const endsOf = (ends: boolean, first: string, firstAt: string, last: string, lastAt: string) =>
  ends ? `(array_agg(${first} ORDER BY ${firstAt}))[1] AS first, (array_agg(${last} ORDER BY ${lastAt} DESC))[1] AS last` : 'NULL::jsonb AS first, NULL::jsonb AS last';

/** The quarters inside one bucket, merged per bucket (float8 sums: a sum of bigints is numeric, several times slower). */
const quarterBuckets = (ends: boolean) => `
SELECT asset_id, ${bucketOf('start')} AS b, sum(n::float8) AS n, sum(num_n::float8) AS nn, sum(num_sum) AS sum, min(num_min) AS min, max(num_max) AS max,
       min(first_at) AS t0, max(last_at) AS t1, ${endsOf(ends, 'first', 'first_at', 'last', 'last_at')}
FROM ${QUARTERS} WHERE asset_id = ANY($1) AND metric = $2 AND start < $4 AND ${WHOLE}
GROUP BY asset_id, b`;

/** Hourly rollups of the past, whole hours of the window only (see bucket-parts.ts). */
const HOUR_BUCKETS = `SELECT asset_id, ${bucketOf('hour')} AS b, n, num_n AS nn, num_sum AS sum, num_min AS min, num_max AS max, first_at AS t0, last_at AS t1, first, last
FROM ${HOURS} WHERE asset_id = ANY($1) AND metric = $2 AND hour >= $3 AND hour + interval '1 hour' <= $4`;

/** Raw ranges (a, lo, hi): the whole window of each asset. */
const WINDOW_RANGES = `ranges AS (SELECT a, $3::timestamptz AS lo, $4::timestamptz AS hi FROM unnest($1::text[]) AS a)`;
/**
 * Raw ranges (a, lo, hi): the quarters of the window that `from`, `to` or a bucket boundary cuts
 * ($6: the quarter of `from`), clipped to the window, adjacent ones joined (their start less
 * their rank is the same), so that when every quarter is cut each asset has one range.
 */
const CUT_RANGES = `cut AS (
  SELECT asset_id, start, start - row_number() OVER (PARTITION BY asset_id ORDER BY start) * interval '${SLOT_MS / 1000} seconds' AS run
  FROM ${QUARTERS} WHERE asset_id = ANY($1) AND metric = $2 AND start >= $6 AND start < $4 AND NOT (${WHOLE})),
ranges AS (
  SELECT asset_id AS a, greatest(min(start), $3::timestamptz) AS lo, least(max(start) + interval '${SLOT_MS / 1000} seconds', $4::timestamptz) AS hi
  FROM cut GROUP BY asset_id, run)`;

/**
 * Raw observations of `ranges` per bucket, one index range scan each. OFFSET 0 keeps the planner
 * from flattening the lateral scan into a join: it would hash-join every observation of the
 * asset to every range (1.5 s for 720 ranges over 30 days, instead of 20 ms).
 */
const rawBuckets = (ranges: string, ends: boolean) => `
WITH ${ranges}
SELECT r.a AS asset_id, ${bucketOf('observed_at')} AS b, count(*) AS n, count(num) AS nn, sum(num) AS sum, min(num) AS min, max(num) AS max,
       min(observed_at) AS t0, max(observed_at) AS t1, ${endsOf(ends, 'value', 'observed_at', 'value', 'observed_at')}
FROM ranges r
CROSS JOIN LATERAL (SELECT observed_at, num${ends ? ', value' : ''} FROM ${TABLE} WHERE asset_id = r.a AND metric = $2 AND observed_at >= r.lo AND observed_at < r.hi OFFSET 0) o
GROUP BY r.a, b`;

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
    // jit off: these are short queries over an index, and the planner's cost for a range scan per
    // bucket passes the JIT threshold: compiling took 130 ms of a 20 ms query.
    this.pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, options: '-c work_mem=16MB -c jit=off' });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.ddl(SCHEMA);
    await this.ddl(rollupSchema(HOURS, 'hour'));
    // A database from before quarters: build them from the observations it holds, once.
    await this.inTransaction(async (client) => {
      const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [QUARTERS]);
      if (rows[0].found) return;
      await client.query(rollupSchema(QUARTERS, 'start'));
      await client.query(rollUp(TABLE));
    });
    for (const day of await partitionDays(this.pool)) this.days.add(day);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async record(observations: Observation[]): Promise<ObservationKey[]> {
    if (observations.length === 0) return [];
    const days = new Set(observations.map((o) => dayOf(o.observedAt)));
    try {
      for (const day of days) await this.ensurePartition(day);
      return await this.insert(this.pool, observations);
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
    }
    // A day's partition was dropped meanwhile (retention by another instance): create the days
    // again and insert under the DDL lock, so that no drop comes between (a plain retry can lose
    // the same race to the next instance's prune).
    const keys = await this.inTransaction(async (client) => {
      for (const day of days) await client.query(createPartition(day));
      return this.insert(client, observations);
    });
    // Other days this instance knew may be gone too: known again when next created.
    this.days.clear();
    for (const day of days) this.days.add(day);
    return keys;
  }

  /** One statement: the new observations, and merged into their quarters only those (a repeat adds nothing). */
  private async insert(db: pg.Pool | pg.PoolClient, observations: Observation[]): Promise<ObservationKey[]> {
    const { rows } = await db
      .query<{ asset_id: string; metric: string; observed_at: Date }>(
        `WITH fresh AS (
           INSERT INTO ${TABLE} (asset_id, metric, observed_at, value, num)
           SELECT a, m, t, v::jsonb, n FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::float8[]) AS o(a, m, t, v, n)
           ON CONFLICT DO NOTHING
           RETURNING asset_id, metric, observed_at, value, num),
         quarters AS (${rollUp('fresh')})
         SELECT asset_id, metric, observed_at FROM fresh`,
        [
          observations.map((o) => o.assetId),
          observations.map((o) => o.metric),
          observations.map((o) => o.observedAt),
          observations.map((o) => JSON.stringify(o.value)),
          observations.map((o) => (typeof o.value === 'number' ? o.value : null)),
        ],
      )
      .catch(failure);
    return rows.map((r) => ({ assetId: r.asset_id, metric: r.metric, observedAt: r.observed_at.toISOString() }));
  }

  async forget(keys: ObservationKey[]): Promise<void> {
    if (keys.length === 0) return;
    // Their quarters are built again from the observations left (a min, max, first or last cannot
    // be taken back otherwise). Keys are of observations just recorded, whose quarters are whole.
    const quarters = quarterKeysOf(keys);
    const quarterKeys = [quarters.map((k) => k.assetId), quarters.map((k) => k.metric), quarters.map((k) => new Date(k.start).toISOString())];
    await this.inTransaction(async (client) => {
      await client.query(
        `DELETE FROM ${TABLE} o USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(a, m, t)
         WHERE o.asset_id = k.a AND o.metric = k.m AND o.observed_at = k.t`,
        [keys.map((k) => k.assetId), keys.map((k) => k.metric), keys.map((k) => k.observedAt)],
      );
      await client.query(
        `DELETE FROM ${QUARTERS} r USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(a, m, s)
         WHERE r.asset_id = k.a AND r.metric = k.m AND r.start = k.s`,
        quarterKeys,
      );
      await client.query(
        rollUp(
          `(SELECT o.* FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(a, m, s)
            JOIN ${TABLE} o ON o.asset_id = k.a AND o.metric = k.m AND o.observed_at >= k.s AND o.observed_at < k.s + interval '${SLOT_MS / 1000} seconds') kept`,
        ),
        quarterKeys,
      );
    }, false);
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
    const ends = q.ends ?? true;
    const parts = new Map<string, BucketPart[]>(q.assetIds.map((id) => [id, []]));
    const partsFrom = async (sql: string, args: unknown[]) => {
      for (const r of (await this.query<PartRow>(partsOf(sql, ends), args)).rows) {
        parts.get(r.asset_id)?.push({ start: r.b, count: r.n, numCount: r.nn, sum: r.sum, min: r.min, max: r.max, first: (r.first ?? null) as Scalar, firstAt: r.t0 ?? 0, last: (r.last ?? null) as Scalar, lastAt: r.t1 ?? 0 });
      }
    };
    const args = [q.assetIds, q.metric, q.from, q.to ?? 'infinity', q.everySeconds];
    const reads: Promise<void>[] = [];
    if (hoursServe(q)) reads.push(partsFrom(HOUR_BUCKETS, args));
    if (quartersServe(q)) {
      // The quarters inside one bucket, merged per bucket; the raw observations of those cut.
      reads.push(partsFrom(quarterBuckets(ends), args));
      reads.push(partsFrom(rawBuckets(CUT_RANGES, ends), [...args, new Date(quarterOf(q.from)).toISOString()]));
    } else {
      reads.push(partsFrom(rawBuckets(WINDOW_RANGES, ends), args));
    }
    await Promise.all(reads);
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
    // Whole days first (a partition dropped), then the rest of the cut-off day row by row. Without
    // rollup retention, quarters go with their last observation; with it, when it ends. The days
    // come from the catalog, under the DDL lock: another instance may have dropped some this one
    // knows of, or created some it does not.
    const cut = Date.parse(before);
    let removed = await this.inTransaction(async (client) => {
      let n = 0;
      for (const day of (await partitionDays(client)).filter((d) => d + DAY_MS <= cut)) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${partitionName(day)}`);
        await client.query(`DROP TABLE ${partitionName(day)}`);
        this.days.delete(day);
        n += Number(rows[0].n);
      }
      return n;
    });
    removed += await this.inTransaction(async (client) => {
      if (rollupsBefore === undefined) await client.query(`DELETE FROM ${QUARTERS} WHERE start <= $1`, [new Date(cut - SLOT_MS).toISOString()]);
      else {
        await client.query(`DELETE FROM ${QUARTERS} WHERE start < $1`, [rollupsBefore]);
        await client.query(`DELETE FROM ${HOURS} WHERE hour < $1`, [rollupsBefore]);
      }
      return (await client.query(`DELETE FROM ${TABLE} WHERE observed_at < $1`, [before])).rowCount ?? 0;
    });
    return removed;
  }

  /** `work` in one transaction on one client, under the advisory lock (see DDL_LOCK) unless it is no DDL. */
  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, ddl = true): Promise<T> {
    const client = await this.pool.connect().catch(failure);
    try {
      await client.query('BEGIN');
      if (ddl) await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
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
    await this.ddl(createPartition(day));
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

/** The days whose partition exists, from the catalog. */
async function partitionDays(db: pg.Pool | pg.PoolClient): Promise<number[]> {
  const { rows } = await db
    .query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
      [TABLE],
    )
    .catch(failure);
  return rows.flatMap(({ name }) => {
    const m = /_(\d{4})(\d{2})(\d{2})$/.exec(name);
    return m ? [Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))] : [];
  });
}

const createPartition = (day: number) =>
  `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF ${TABLE} FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`;

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
