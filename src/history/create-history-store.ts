import path from 'node:path';
import type { Config } from '../config';
import type { HistoryStore } from './history-store';
import { PostgresHistory } from './postgres-history';
import { SqliteHistory } from './sqlite-history';

/** PostgreSQL when HISTORY_URL is set, else `history.sqlite` beside the twin's file in DATA_DIR; initialised. */
export async function openHistoryStore(config: Pick<Config, 'history' | 'dataDir'>): Promise<HistoryStore> {
  const history = config.history.url ? new PostgresHistory(config.history.url) : new SqliteHistory(path.join(config.dataDir, 'history.sqlite'));
  try {
    await history.init();
  } catch (err) {
    await history.close().catch(() => undefined);
    throw err;
  }
  return history;
}
