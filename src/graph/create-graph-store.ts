import path from 'node:path';
import type { Config } from '../config';
import { indexModel, loadTwinModel, type ModelIndex } from '../model/twin-model';
import type { GraphStore } from './graph-store';
import { Neo4jGraphStore } from './neo4j/neo4j-graph-store';
import { SqliteGraphStore } from './sqlite/sqlite-graph-store';

/** Neo4j when NEO4J_URI is configured, else the embedded SQLite file `twin.sqlite` in DATA_DIR. */
export function createGraphStore(config: Pick<Config, 'neo4j' | 'dataDir'>, model: ModelIndex): GraphStore {
  if (config.neo4j) return new Neo4jGraphStore(config.neo4j, model);
  return new SqliteGraphStore(path.join(config.dataDir, 'twin.sqlite'), model);
}

/** What every process opens first: the API, the worker, the processor thread and the import CLI. */
export interface TwinStore {
  model: ModelIndex;
  store: GraphStore;
}

/** The twin model (TWIN_MODEL or the built-in one) and its store, initialised (schema applied). */
export async function openTwinStore(config: Pick<Config, 'neo4j' | 'dataDir' | 'twinModel'>): Promise<TwinStore> {
  const model = indexModel(loadTwinModel(config.twinModel));
  const store = createGraphStore(config, model);
  try {
    await store.init();
  } catch (err) {
    await store.close().catch(() => undefined); // a half-open driver would keep the process alive
    throw err;
  }
  return { model, store };
}
