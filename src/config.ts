import path from 'node:path';

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
  /** Neo4j connection; when set the Neo4j adapter is used instead of SQLite. */
  neo4j?: { uri: string; username: string; password: string; database: string };
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
  /** pino level: fatal, error, warn, info, debug, trace or silent. Default info. */
  logLevel: string;
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
    maxBatchRecords: integer(env, 'MAX_BATCH_RECORDS', 10_000, 1, 1_000_000),
    logLevel,
  };
  if (env.NEO4J_URI) {
    if (!/^(neo4j|bolt)(\+s|\+ssc)?:\/\//.test(env.NEO4J_URI)) {
      throw new Error(`NEO4J_URI must start with neo4j://, neo4j+s://, bolt:// or bolt+s://, got "${env.NEO4J_URI}"`);
    }
    config.neo4j = {
      uri: env.NEO4J_URI,
      username: env.NEO4J_USERNAME || 'neo4j',
      password: env.NEO4J_PASSWORD ?? '',
      database: env.NEO4J_DATABASE || 'neo4j',
    };
  }
  return config;
}
