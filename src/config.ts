import path from 'node:path';

/** The roles of callers, lowest first (src/auth/principal.ts says what each may do). */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: Role[] = ['viewer', 'operator', 'admin'];

/**
 * Configuration from environment variables, validated once at start-up. Each error names the
 * variable. README's configuration table lists every variable read here.
 */
export interface Config {
  /** Interface to listen on. Default 127.0.0.1. */
  host: string;
  /** HTTP and WebSocket port. Default 4000. */
  port: number;
  /** Folder of the embedded SQLite store. Default ./data. */
  dataDir: string;
  /**
   * Neo4j connection (NEO4J_*); when set the Neo4j adapter is used instead of SQLite.
   * `queryTimeoutMs` is QUERY_TIMEOUT_MS, the deadline of every transaction (default 30 s);
   * `maxWriteTransactions` is NEO4J_MAX_WRITE_TRANSACTIONS (default 4).
   */
  neo4j?: { uri: string; username: string; password: string; database: string; queryTimeoutMs?: number; maxWriteTransactions?: number };
  /** Path of a twin model file (JSON or YAML); default the built-in data-center model. */
  twinModel?: string;
  /** Seed the demo twin into an empty store at start. Default true. */
  seedDemo: boolean;
  /** Largest `maxDepth` a query may ask for. Default 10, at most 50. */
  maxTraversalDepth: number;
  /** Largest page (`first`) of a connection. Default 500. */
  maxPageSize: number;
  /** Most records one mutation batch may carry (bigger loads use `npm run import`). Default 10000. */
  maxBatchRecords: number;
  /** Most items in one list argument that is not a write batch (ids, kinds, `in` values, failed assets). Default 1000. */
  maxListItems: number;
  /** Most property filters in one `where`. Default 20. */
  maxPropertyFilters: number;
  /** pino level: fatal, error, warn, info, debug, trace or silent. Default info. */
  logLevel: string;
  /** Redis for pub/sub across API instances; unset = in-process pub/sub. */
  redisUrl?: string;
  /** What is kept for subscribers that resume with `after` (a Redis Stream per channel with REDIS_URL, else memory). */
  replay: {
    /** Events kept per channel (LIVE_REPLAY_MAX_EVENTS). Default 100000. */
    maxEvents: number;
    /** Seconds an event is kept (LIVE_REPLAY_SECONDS). Default 300. */
    seconds: number;
  };
  /** How long a shutdown (SIGTERM) waits for in-flight requests and running jobs. Default 10000 ms. */
  shutdownTimeoutMs: number;
  /** QUERY_TIMEOUT_MS: how long one API request's store reads may run, and every Neo4j transaction (default 30 s). */
  queryTimeoutMs: number;
  /**
   * TOPOLOGY_INDEX_MAX_ASSETS: the most assets the API's in-memory topology index holds
   * (src/graph/topology-index.ts); a larger twin is walked in the store. 0 turns it off. Default 1,000,000.
   */
  topologyIndexMaxAssets: number;
  /** Port of `npm run worker`'s own /metrics, /livez and /readyz; unset = none. */
  metricsPort?: number;
  state: {
    /** How far in the future `observedAt` may be. Default 300 s. */
    maxFutureSkewMs: number;
    /** How long a seen eventId makes a repeat a DUPLICATE. Default 24 h. */
    eventRetentionMs: number;
    /** Rejected reports kept in the quarantine. Default 10000. */
    quarantineMax: number;
    /** An asset is stale after its kind's expected interval times this. Default 3. */
    staleFactor: number;
  };
  ingest: {
    /** Largest body POST /ingest accepts. Default 50 MB. */
    maxBodyBytes: number;
  };
  auth: AuthConfig;
  audit: {
    /** Audit entries, and topology history, older than this are deleted (AUDIT_RETENTION_DAYS, default 90). */
    retentionDays: number;
  };
  fidelity: {
    /** Submit a LOAD run with observed demand this often (FIDELITY_CHECK_INTERVAL_SECONDS); unset or 0: off. */
    checkIntervalSeconds?: number;
    /** A check whose MAPE is above this is drift (DRIFT_MAPE_THRESHOLD, default 0.15). */
    driftMapeThreshold: number;
  };
  history: {
    /** PostgreSQL for state history (HISTORY_URL); unset = `history.sqlite` in DATA_DIR. */
    url?: string;
    /** Observations older than this are deleted (HISTORY_RETENTION_DAYS, default 30). */
    retentionDays: number;
    /**
     * When set, the quarter-hour rollups kept at ingest outlive the raw observations retention
     * deletes, this long (HISTORY_ROLLUP_RETENTION_DAYS, longer than retentionDays; unset: they go
     * with the observations).
     */
    rollupRetentionDays?: number;
    /** Most buckets one historyBuckets call may span (HISTORY_MAX_BUCKETS, default 10000). */
    maxBuckets: number;
    /**
     * Most assets and relationships changed since an `asOf` that a query at it accepts: an asOf
     * view holds them all (HISTORY_ASOF_MAX_CHANGES, default 100000).
     */
    asOfMaxChanges: number;
  };
  limits: {
    /** Deepest query accepted (HTTP and subscriptions). Default 12. */
    maxQueryDepth: number;
    /** Most aliases in one query. Default 30. */
    maxAliases: number;
    /** Largest estimated query cost. Default 20000. */
    maxQueryCost: number;
    /** Whether introspection is on. Default on, off with NODE_ENV=production. */
    introspection: boolean;
  };
  /** Queries and mutations run compiled (graphql-jit, GRAPHQL_JIT=1, the default) or by graphql-js (0). */
  compiledExecution: boolean;
  scenarios: {
    /** BullMQ queue name (on REDIS_URL). Default twin-scenarios. */
    queueName: string;
    /** Attempts per job, the first included. Default 3. */
    attempts: number;
    /** First retry delay, doubling each time. Default 1000 ms. */
    backoffMs: number;
    /** Most Monte Carlo samples a RELIABILITY run may ask for. Default 100000. */
    maxSamples: number;
    /** Samples when a RELIABILITY run does not say. Default 10000. */
    defaultSamples: number;
    /** Jobs one worker process (or the in-process runner) runs at once. Default 2. */
    workerConcurrency: number;
    /** Job lock; a killed worker's job is retried once it expires. Default 30000 ms. */
    lockDurationMs: number;
  };
  subscriptions: {
    /** Concurrent subscriptions one WebSocket connection may hold. Default 50. */
    maxPerConnection: number;
    /** Largest WebSocket message accepted from a client. Default 1 MB. */
    maxPayloadBytes: number;
    /** Unsent bytes (or events) a subscriber may fall behind before it is disconnected. Default 4 MB / 1000 events. */
    maxBufferedBytes: number;
    maxQueuedEvents: number;
    /** WebSocket connections one principal (API key, JWT subject, or anonymous client address) may hold on one instance. Default 100. */
    maxConnectionsPerPrincipal: number;
    /** Distinct `within` neighbourhoods (root, maxDepth, direction) one instance keeps current; subscriptions share them. Default 500. */
    maxNeighbourhoods: number;
  };
}

export interface AuthConfig {
  /** From AUTH_API_KEYS `key:role,key:role`. */
  apiKeys: { key: string; role: Role }[];
  /** HS256 secret (AUTH_JWT_SECRET). */
  jwtSecret?: string;
  /** RS256 key set URL (AUTH_JWKS_URL). */
  jwksUrl?: string;
  /** Claim holding the role (AUTH_JWT_ROLE_CLAIM, dotted path). Default role. */
  roleClaim: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** Refuse JWTs without an `exp` claim (AUTH_JWT_REQUIRE_EXP, default on; 0 turns it off). */
  jwtRequireExp: boolean;
}

/** Absolute ceiling on traversal depth, whatever the configuration says. */
export const HARD_MAX_DEPTH = 50;

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be 1/0, true/false or yes/no, got "${raw}"`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 4000, 0, 65535),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    twinModel: env.TWIN_MODEL || undefined,
    seedDemo: flag(env, 'SEED_DEMO', true),
    maxTraversalDepth: integer(env, 'MAX_TRAVERSAL_DEPTH', 10, 1, HARD_MAX_DEPTH),
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 500, 1, 10_000),
    maxBatchRecords: integer(env, 'MAX_BATCH_RECORDS', 2000, 1, 1_000_000),
    maxListItems: integer(env, 'MAX_LIST_ITEMS', 1000, 1, 100_000),
    maxPropertyFilters: integer(env, 'MAX_PROPERTY_FILTERS', 20, 1, 200),
    logLevel,
    redisUrl: env.REDIS_URL || undefined,
    replay: {
      maxEvents: integer(env, 'LIVE_REPLAY_MAX_EVENTS', 100_000, 0, 10_000_000),
      seconds: integer(env, 'LIVE_REPLAY_SECONDS', 300, 0, 7 * 24 * 3600),
    },
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 3_600_000),
    queryTimeoutMs: integer(env, 'QUERY_TIMEOUT_MS', 30_000, 100, 3_600_000),
    topologyIndexMaxAssets: integer(env, 'TOPOLOGY_INDEX_MAX_ASSETS', 1_000_000, 0, 100_000_000),
    metricsPort: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 0, 65535) : undefined,
    state: {
      maxFutureSkewMs: integer(env, 'STATE_MAX_FUTURE_SKEW_SECONDS', 300, 0, 86_400) * 1000,
      eventRetentionMs: integer(env, 'STATE_EVENT_RETENTION_HOURS', 24, 1, 24 * 90) * 3_600_000,
      quarantineMax: integer(env, 'QUARANTINE_MAX', 10_000, 1, 10_000_000),
      staleFactor: integer(env, 'STALE_FACTOR', 3, 1, 1000),
    },
    ingest: {
      maxBodyBytes: integer(env, 'INGEST_MAX_BYTES', 50 * 1024 * 1024, 1024, 2 ** 31),
    },
    auth: {
      apiKeys: parseApiKeys(env.AUTH_API_KEYS),
      jwtSecret: env.AUTH_JWT_SECRET || undefined,
      jwksUrl: env.AUTH_JWKS_URL || undefined,
      roleClaim: env.AUTH_JWT_ROLE_CLAIM || 'role',
      jwtIssuer: env.AUTH_JWT_ISSUER || undefined,
      jwtAudience: env.AUTH_JWT_AUDIENCE || undefined,
      jwtRequireExp: env.AUTH_JWT_REQUIRE_EXP !== '0',
    },
    audit: { retentionDays: integer(env, 'AUDIT_RETENTION_DAYS', 90, 1, 36_500) },
    fidelity: {
      checkIntervalSeconds: integer(env, 'FIDELITY_CHECK_INTERVAL_SECONDS', 0, 0, 31_536_000) || undefined,
      driftMapeThreshold: ratio(env, 'DRIFT_MAPE_THRESHOLD', 0.15),
    },
    history: {
      url: historyUrl(env.HISTORY_URL),
      retentionDays: integer(env, 'HISTORY_RETENTION_DAYS', 30, 1, 36_500),
      rollupRetentionDays: rollupRetentionDays(env, integer(env, 'HISTORY_RETENTION_DAYS', 30, 1, 36_500)),
      maxBuckets: integer(env, 'HISTORY_MAX_BUCKETS', 10_000, 1, 1_000_000),
      asOfMaxChanges: integer(env, 'HISTORY_ASOF_MAX_CHANGES', 100_000, 1, 10_000_000),
    },
    limits: {
      maxQueryDepth: integer(env, 'MAX_QUERY_DEPTH', 12, 2, 100),
      maxAliases: integer(env, 'MAX_ALIASES', 30, 1, 1000),
      maxQueryCost: integer(env, 'MAX_QUERY_COST', 20_000, 10, 10_000_000),
      introspection: flag(env, 'INTROSPECTION', env.NODE_ENV !== 'production'),
    },
    compiledExecution: flag(env, 'GRAPHQL_JIT', true),
    scenarios: {
      queueName: env.SCENARIO_QUEUE || 'twin-scenarios',
      attempts: integer(env, 'SCENARIO_ATTEMPTS', 3, 1, 100),
      backoffMs: integer(env, 'SCENARIO_BACKOFF_MS', 1000, 0, 3_600_000),
      maxSamples: integer(env, 'SCENARIO_MAX_SAMPLES', 100_000, 1, 100_000_000),
      defaultSamples: integer(env, 'SCENARIO_DEFAULT_SAMPLES', 10_000, 1, 100_000_000),
      workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 2, 1, 64),
      lockDurationMs: integer(env, 'SCENARIO_LOCK_MS', 30_000, 1000, 3_600_000),
    },
    subscriptions: {
      maxPerConnection: integer(env, 'WS_MAX_SUBSCRIPTIONS', 50, 1, 10_000),
      maxPayloadBytes: integer(env, 'WS_MAX_PAYLOAD_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
      maxBufferedBytes: integer(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxQueuedEvents: integer(env, 'WS_MAX_QUEUED_EVENTS', 1000, 1, 1_000_000),
      maxConnectionsPerPrincipal: integer(env, 'WS_MAX_CONNECTIONS_PER_PRINCIPAL', 100, 1, 1_000_000),
      maxNeighbourhoods: integer(env, 'WS_MAX_NEIGHBOURHOODS', 500, 1, 1_000_000),
    },
  };
  if (config.auth.jwtSecret && config.auth.jwksUrl) throw new Error('AUTH_JWT_SECRET and AUTH_JWKS_URL: set one, not both');
  if (config.auth.jwtSecret && config.auth.jwtSecret.length < 32) throw new Error('AUTH_JWT_SECRET must be at least 32 characters');
  if (config.auth.jwksUrl && !/^https?:\/\//.test(config.auth.jwksUrl)) throw new Error(`AUTH_JWKS_URL must be an http(s) URL, got "${config.auth.jwksUrl}"`);
  if (config.redisUrl && !/^rediss?:\/\//.test(config.redisUrl)) {
    throw new Error(`REDIS_URL must start with redis:// or rediss://, got "${config.redisUrl}"`);
  }
  if (env.NEO4J_URI) {
    if (!/^(neo4j|bolt)(\+s|\+ssc)?:\/\//.test(env.NEO4J_URI)) {
      throw new Error(`NEO4J_URI must start with neo4j://, neo4j+s://, bolt:// or bolt+s://, got "${env.NEO4J_URI}"`);
    }
    config.neo4j = {
      uri: env.NEO4J_URI,
      username: env.NEO4J_USERNAME || 'neo4j',
      password: env.NEO4J_PASSWORD ?? '',
      database: env.NEO4J_DATABASE || 'neo4j',
      queryTimeoutMs: config.queryTimeoutMs,
      maxWriteTransactions: integer(env, 'NEO4J_MAX_WRITE_TRANSACTIONS', 4, 1, 1000),
    };
  }
  return config;
}

/** A number above 0 (DRIFT_MAPE_THRESHOLD: 0.15 is 15%). */
function ratio(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number above 0 (0.15 is 15%), got "${raw}"`);
  return value;
}

/** HISTORY_ROLLUP_RETENTION_DAYS: optional, and longer than the raw retention it extends. */
function rollupRetentionDays(env: Env, rawDays: number): number | undefined {
  if (env.HISTORY_ROLLUP_RETENTION_DAYS === undefined || env.HISTORY_ROLLUP_RETENTION_DAYS === '') return undefined;
  const days = integer(env, 'HISTORY_ROLLUP_RETENTION_DAYS', 0, 1, 36_500);
  if (days <= rawDays) throw new Error(`HISTORY_ROLLUP_RETENTION_DAYS (${days}) must be longer than HISTORY_RETENTION_DAYS (${rawDays}): rollups keep what raw retention removes`);
  return days;
}

function historyUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error(`HISTORY_URL must start with postgres:// or postgresql://, got "${raw.replace(/\/\/[^@]*@/, '//…@')}"`);
  return raw;
}

function parseApiKeys(raw: string | undefined): { key: string; role: Role }[] {
  if (!raw) return [];
  return raw.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const at = entry.lastIndexOf(':');
    const key = entry.slice(0, at);
    const role = entry.slice(at + 1) as Role;
    if (at <= 0 || !ROLES.includes(role)) throw new Error(`AUTH_API_KEYS entries must be key:role with role one of ${ROLES.join(', ')}; got "${entry.slice(0, 4)}…"`);
    if (key.length < 16) throw new Error('AUTH_API_KEYS: every key must be at least 16 characters');
    return { key, role };
  });
}
