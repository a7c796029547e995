import pg from 'pg';
import { DomainError, unavailable } from '../errors';
import type { Scalar } from '../graph/types';
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
    this.pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.ddl(SCHEMA);
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
    const { rows } = await this.query<{ asset_id: string; b: string; n: string; avg: number | null; min: number | null; max: number | null; first: Scalar; last: Scalar }>(
      `SELECT asset_id, floor(extract(epoch FROM observed_at - $3::timestamptz) / $5) AS b, count(*) AS n, avg(num) AS avg, min(num) AS min, max(num) AS max,
              (array_agg(value ORDER BY observed_at))[1] AS first, (array_agg(value ORDER BY observed_at DESC))[1] AS last
       FROM ${TABLE}
       WHERE asset_id = ANY($1) AND metric = $2 AND observed_at >= $3 AND ($4::timestamptz IS NULL OR observed_at < $4)
       GROUP BY asset_id, b ORDER BY asset_id, b`,
      [q.assetIds, q.metric, q.from, q.to ?? null, q.everySeconds],
    );
    const from = Date.parse(q.from);
    const out = new Map<string, Bucket[]>(q.assetIds.map((id) => [id, []]));
    for (const r of rows) {
      out.get(r.asset_id)?.push({
        start: new Date(from + Number(r.b) * q.everySeconds * 1000).toISOString(),
        count: Number(r.n),
        avg: r.avg,
        min: r.min,
        max: r.max,
        first: r.first,
        last: r.last,
      });
    }
    return out;
  }

  async stateAt(assetId: string, asOf: string): Promise<Record<string, Scalar>> {
    const { rows } = await this.query<{ metric: string; value: Scalar }>(
      `SELECT DISTINCT ON (metric) metric, value FROM ${TABLE} WHERE asset_id = $1 AND observed_at <= $2 ORDER BY metric, observed_at DESC`,
      [assetId, asOf],
    );
    return Object.fromEntries(rows.map((r) => [r.metric, r.value]));
  }

  async prune(before: string): Promise<number> {
    // Whole days first (a partition dropped), then the rest of the cut-off day row by row.
    let removed = 0;
    const cut = Date.parse(before);
    for (const day of [...this.days].filter((d) => d + DAY_MS <= cut)) {
      const { rows } = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${partitionName(day)}`);
      await this.query(`DROP TABLE IF EXISTS ${partitionName(day)}`);
      this.days.delete(day);
      removed += Number(rows[0].n);
    }
    const { rowCount } = await this.query(`DELETE FROM ${TABLE} WHERE observed_at < $1`, [before]);
    return removed + (rowCount ?? 0);
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
    const client = await this.pool.connect().catch(failure);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
      await client.query(text);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      failure(err);
    } finally {
      client.release();
    }
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
