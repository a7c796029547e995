import { Sema } from 'async-sema';
import {
  auth,
  driver as createDriver,
  isDate,
  isDateTime,
  isDuration,
  isInt,
  isLocalDateTime,
  isLocalTime,
  isNode,
  isRelationship,
  isTime,
  type Config as DriverConfig,
  type Driver,
  type ManagedTransaction,
} from 'neo4j-driver';
import { DomainError, unavailable } from '../../errors';
import type { CypherQuery } from './cypher-files';

/** Where the graph lives: the NEO4J_* settings. */
export interface Neo4jConnection {
  uri: string;
  username: string;
  password: string;
  /** Every session and query names it explicitly (no home-database lookups). */
  database: string;
  /** Deadline of every transaction, enforced by the server (QUERY_TIMEOUT_MS); none when unset. */
  queryTimeoutMs?: number;
  /** Most write transactions this process runs at once (NEO4J_MAX_WRITE_TRANSACTIONS); default 4. */
  maxWriteTransactions?: number;
}

/** One result row, with Neo4j values turned into plain JavaScript (see `toPlain`). */
export type Row = Record<string, unknown>;
export type Params = Record<string, unknown>;

/** What a transaction body runs its statements through. */
export interface CypherRunner {
  run(query: CypherQuery | string, params?: Params): Promise<Row[]>;
}

const APP = 'twin-graph-api';

/** Connection-level failures, however they surface (driver codes or Node socket errors). */
const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.TransientError.General.DatabaseUnavailable',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
const AUTH_CODES = new Set(['Neo.ClientError.Security.Unauthorized', 'Neo.ClientError.Security.AuthenticationRateLimit']);
const CONSTRAINT_CODES = new Set(['Neo.ClientError.Schema.ConstraintValidationFailed']);
const TIMEOUT_CODES = new Set(['Neo.ClientError.Transaction.TransactionTimedOut', 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration']);
/**
 * A transaction the server stopped: how a timed-out transaction answers when the timeout found it
 * waiting for a lock (it cannot tell a timeout from an operator's TERMINATE, so the caller's
 * clock decides).
 */
const TERMINATED_CODES = new Set(['Neo.ClientError.Transaction.LockClientStopped', 'Neo.ClientError.Transaction.Terminated']);

/** The URI without any user info, safe to show in messages and logs. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//');
}

/**
 * Neo4j values to plain JavaScript, recursively through lists and maps: Integers become numbers,
 * temporal values ISO strings, and any Node or Relationship that slips through becomes its
 * property map (queries should return map projections).
 */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isInt(value)) return value.toNumber();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value !== 'object') return value;
  if (isNode(value) || isRelationship(value)) return toPlain(value.properties);
  if (isDate(value) || isDateTime(value) || isLocalDateTime(value) || isLocalTime(value) || isTime(value) || isDuration(value)) {
    return value.toString();
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = toPlain(item);
  return out;
}

const errorCode = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * The single place that runs Cypher (modelled on neo4j/graphql's Executor): owns the driver,
 * always names the database, turns results into plain rows and driver errors into DomainErrors:
 * connection problems are UNAVAILABLE (naming the URI), constraint violations CONFLICT, a
 * transaction past QUERY_TIMEOUT_MS (the server enforces it) TIMEOUT.
 * Single statements go through `driver.executeQuery`; multi-statement units of work through
 * managed transactions (`executeRead`/`executeWrite`, retried by the driver on transient errors,
 * so their bodies must only read and write through the given runner). Sessions share the
 * executeQuery bookmark manager, so every call reads what the previous ones wrote.
 */
export class CypherExecutor {
  private readonly driver: Driver;
  /** The URI as shown in messages (credentials removed). */
  readonly uri: string;
  /**
   * Write transactions wait here for their turn, first come first served. Neo4j's lock waiters
   * poll (spin, then every millisecond, each time checking for deadlocks) and are not served in
   * order: 60 concurrent batches on the same assets from one process starved some past
   * QUERY_TIMEOUT_MS on 2 cores. Queued in Node, they wait for nothing and in order.
   */
  private readonly writers: Sema;

  constructor(
    private readonly connection: Neo4jConnection,
    /** Extra driver settings; default `maxTransactionRetryTime` 10 s (driver default 30 s). */
    driverConfig: DriverConfig = {},
  ) {
    this.uri = redactUri(connection.uri);
    this.writers = new Sema(connection.maxWriteTransactions ?? 4);
    try {
      this.driver = createDriver(connection.uri, auth.basic(connection.username, connection.password), {
        userAgent: `${APP}/neo4j-driver`,
        // The driver's default (30 s) keeps a request hanging that long when the server is down;
        // 10 s still rides out deadlock retries and a cluster leader switch.
        maxTransactionRetryTime: 10_000,
        ...driverConfig,
      });
    } catch (err) {
      throw new Error(`NEO4J_URI ${this.uri} is not usable: ${(err as Error).message}`);
    }
  }

  get database(): string {
    return this.connection.database;
  }

  /** Fail fast (UNAVAILABLE) when the server cannot be reached or refuses the credentials. */
  async verifyConnectivity(): Promise<void> {
    try {
      await this.driver.verifyConnectivity({ database: this.connection.database });
    } catch (err) {
      throw this.mapError(err);
    }
  }

  /** Run one read statement (routed to a reader in a cluster). */
  read(query: CypherQuery | string, params: Params = {}): Promise<Row[]> {
    return this.execute(query, params, 'READ');
  }

  /** Run one write statement in its own transaction. */
  write(query: CypherQuery | string, params: Params = {}): Promise<Row[]> {
    return this.inTurn(() => this.execute(query, params, 'WRITE'));
  }

  /** Run several read statements in one transaction. */
  readTransaction<T>(work: (tx: CypherRunner) => Promise<T>): Promise<T> {
    return this.transaction('READ', work);
  }

  /** Run several statements in one write transaction: all of them commit, or none (throw to roll back). */
  writeTransaction<T>(work: (tx: CypherRunner) => Promise<T>): Promise<T> {
    return this.inTurn(() => this.transaction('WRITE', work));
  }

  /** Run a write when its turn comes (see `writers`). */
  private async inTurn<T>(write: () => Promise<T>): Promise<T> {
    await this.writers.acquire();
    try {
      return await write();
    } finally {
      this.writers.release();
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async execute(query: CypherQuery | string, params: Params, routing: 'READ' | 'WRITE'): Promise<Row[]> {
    const { text, name } = unpack(query);
    const started = Date.now();
    try {
      const result = await this.driver.executeQuery(text, params, {
        database: this.connection.database,
        routing,
        transactionConfig: { metadata: { app: APP, query: name }, timeout: this.connection.queryTimeoutMs },
      });
      return result.records.map((record) => toPlain(record.toObject()) as Row);
    } catch (err) {
      throw this.mapError(err, name, Date.now() - started);
    }
  }

  private async transaction<T>(mode: 'READ' | 'WRITE', work: (tx: CypherRunner) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      database: this.connection.database,
      defaultAccessMode: mode,
      bookmarkManager: this.driver.executeQueryBookmarkManager,
    });
    let current: string | undefined;
    let attemptStarted = Date.now();
    const body = async (tx: ManagedTransaction) => {
      attemptStarted = Date.now();
      return work({
        run: async (query, params = {}) => {
          const { text, name } = unpack(query);
          current = name;
          const result = await tx.run(text, params);
          return result.records.map((record) => toPlain(record.toObject()) as Row);
        },
      });
    };
    const config = { metadata: { app: APP }, timeout: this.connection.queryTimeoutMs };
    try {
      return await (mode === 'READ' ? session.executeRead(body, config) : session.executeWrite(body, config));
    } catch (err) {
      throw this.mapError(err, current, Date.now() - attemptStarted);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /**
   * Driver errors to DomainErrors; anything else is returned unchanged (logged and masked above).
   * `ranForMs`: how long the failed call ran by our clock (a transaction's last attempt), never
   * less than the server counted against QUERY_TIMEOUT_MS.
   */
  mapError(err: unknown, queryName?: string, ranForMs = 0): unknown {
    if (err instanceof DomainError) return err;
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    const details = { uri: this.uri, database: this.connection.database, ...(code ? { cause: code } : {}) };
    if (code && UNAVAILABLE_CODES.has(code)) {
      return unavailable(`Neo4j at ${this.uri} is unavailable: ${message}`, details);
    }
    if (code && AUTH_CODES.has(code)) {
      return unavailable(`Neo4j at ${this.uri} refused the credentials (NEO4J_USERNAME / NEO4J_PASSWORD): ${message}`, details);
    }
    if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
      return unavailable(`Neo4j at ${this.uri} has no database "${this.connection.database}" (NEO4J_DATABASE): ${message}`, details);
    }
    const limit = this.connection.queryTimeoutMs;
    if (code && (TIMEOUT_CODES.has(code) || (TERMINATED_CODES.has(code) && limit !== undefined && ranForMs >= limit))) {
      return new DomainError('TIMEOUT', `The store query${queryName ? ` ${queryName}` : ''} ran longer than QUERY_TIMEOUT_MS (${limit} ms) and was stopped`, details);
    }
    if (code && CONSTRAINT_CODES.has(code)) {
      return new DomainError('CONFLICT', `A uniqueness rule of the graph was violated${queryName ? ` (${queryName})` : ''}: ${message}`, details);
    }
    return err;
  }
}

function unpack(query: CypherQuery | string): { text: string; name: string } {
  return typeof query === 'string' ? { text: query, name: 'inline' } : { text: query.body, name: query.name };
}
