import path from 'node:path';
import type { Config } from '../config';
import type { ModelIndex } from '../model/twin-model';
import type { GraphStore } from './graph-store';
import { Neo4jGraphStore } from './neo4j/neo4j-graph-store';
import { SqliteGraphStore } from './sqlite/sqlite-graph-store';

/** Neo4j when NEO4J_URI is configured, else the embedded SQLite file `twin.sqlite` in DATA_DIR. */
export function createGraphStore(config: Pick<Config, 'neo4j' | 'dataDir'>, model: ModelIndex): GraphStore {
  if (config.neo4j) return new Neo4jGraphStore(config.neo4j, model);
  return new SqliteGraphStore(path.join(config.dataDir, 'twin.sqlite'), model);
}
