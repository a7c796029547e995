/**
 * Which store this test file runs on (`TEST_STORE`, set by the jest project: `sqlite` or
 * `neo4j`) and how to reach it. On SQLite every server gets a fresh file; on Neo4j the one
 * database of the run is wiped instead, under the lock the store environment holds per file.
 */
import neo4j from 'neo4j-driver';
import pg from 'pg';
import type { Config } from '../../../src/config';
import { createGraphStore } from '../../../src/graph/create-graph-store';
import type { GraphStore } from '../../../src/graph/graph-store';
import type { ModelIndex } from '../../../src/model/twin-model';

export type StoreName = 'sqlite' | 'neo4j';

export const STORE: StoreName = process.env.TEST_STORE === 'neo4j' ? 'neo4j' : 'sqlite';

/** The Neo4j connection of this run (only on the neo4j project). */
export function neo4jConfig(): NonNullable<Config['neo4j']> {
  const uri = process.env.TEST_NEO4J_URI;
  if (!uri) throw new Error('TEST_NEO4J_URI is not set: the neo4j jest project starts a Neo4j in its global setup');
  return {
    uri,
    username: process.env.TEST_NEO4J_USERNAME || 'neo4j',
    password: process.env.TEST_NEO4J_PASSWORD ?? '',
    database: process.env.TEST_NEO4J_DATABASE || 'neo4j',
  };
}

/** The PostgreSQL of this run's state history (only on the neo4j project: Neo4j + PostgreSQL). */
export function historyUrl(): string {
  const url = process.env.TEST_HISTORY_URL;
  if (!url) throw new Error('TEST_HISTORY_URL is not set: the neo4j jest project starts a PostgreSQL in its global setup');
  return url;
}

/**
 * Environment variables that point a server, worker or CLI at the stores under test: nothing on
 * SQLite (graph and history files in DATA_DIR), Neo4j and PostgreSQL history on the neo4j project.
 */
export function storeEnv(): Record<string, string> {
  if (STORE === 'sqlite') return {};
  const c = neo4jConfig();
  return { NEO4J_URI: c.uri, NEO4J_USERNAME: c.username, NEO4J_PASSWORD: c.password, NEO4J_DATABASE: c.database, HISTORY_URL: historyUrl() };
}

/** A store of the kind under test: the SQLite file `twin.sqlite` in `dataDir`, or the run's Neo4j. */
export function openTestStore(dataDir: string, model: ModelIndex): GraphStore {
  return createGraphStore({ dataDir, neo4j: STORE === 'neo4j' ? neo4jConfig() : undefined }, model);
}

/** Empty the stores under test (SQLite files start empty: nothing to do). Constraints and indexes stay. */
export async function wipeStore(): Promise<void> {
  if (STORE === 'sqlite') return;
  await wipeHistory();
  const c = neo4jConfig();
  const driver = neo4j.driver(c.uri, neo4j.auth.basic(c.username, c.password));
  try {
    const session = driver.session({ database: c.database });
    try {
      // Auto-commit: CALL … IN TRANSACTIONS cannot run inside an explicit transaction.
      await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

/** Empty the PostgreSQL history of the run (its table, when a server has created it). */
async function wipeHistory(): Promise<void> {
  const client = new pg.Client({ connectionString: historyUrl() });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS twin_observations, twin_observations_hourly, twin_observations_quarters CASCADE');
  } finally {
    await client.end();
  }
}
