import type { TopologyHistoryStore } from '../ports/topology-history-store';
import { fromChangeRow, toChangeRow, type TopologyChangeEntry, type TopologyChangeFilter, type TopologyChangeRow } from '../topology-log';
import type { SqliteExecutor } from './sqlite-executor';
import { readPage, Where } from './sqlite-sql';

/** The columns of `topology_changes` as TopologyChangeRow names them. */
const CHANGE_COLUMNS = 'id, at, entity, action, key, asset_id AS assetId, from_id AS fromId, type, to_id AS toId, before, after';

/** Append entries inside the caller's transaction (the topology write they describe). */
export function appendTopologyChanges(sql: SqliteExecutor, entries: TopologyChangeEntry[]): void {
  for (const entry of entries) {
    sql.run(
      `INSERT INTO topology_changes (id, at, entity, action, key, asset_id, from_id, type, to_id, before, after)
       VALUES (@id, @at, @entity, @action, @key, @assetId, @fromId, @type, @toId, @before, @after)`,
      toChangeRow(entry),
    );
  }
}

/** Topology history in the embedded store: the `topology_changes` table and its start in `topology_history`. */
export class SqliteTopologyHistory implements TopologyHistoryStore {
  constructor(private readonly sql: SqliteExecutor) {}

  async topologyHistoryStart(): Promise<string> {
    return this.sql.get<{ started_at: string }>('SELECT started_at FROM topology_history')!.started_at;
  }

  async firstChangesSince(since: string, limit: number): Promise<TopologyChangeEntry[]> {
    const rows = this.sql.all<TopologyChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM topology_changes
       WHERE id IN (SELECT min(id) FROM topology_changes WHERE at > ? GROUP BY key)
       ORDER BY id LIMIT ?`,
      since,
      Math.max(0, Math.floor(limit)),
    );
    return rows.map(fromChangeRow);
  }

  async listTopologyChanges(filter: TopologyChangeFilter, limit: number, after?: string) {
    const where = new Where();
    if (filter.from !== undefined) where.add('at >= ?', filter.from);
    if (filter.to !== undefined) where.add('at < ?', filter.to);
    if (filter.assetId !== undefined) where.add('(asset_id = ? OR from_id = ? OR to_id = ?)', filter.assetId, filter.assetId, filter.assetId);
    if (after !== undefined) where.add('id < ?', after);
    const { rows, hasNextPage } = readPage(limit, (n) =>
      this.sql.all<TopologyChangeRow>(`SELECT ${CHANGE_COLUMNS} FROM topology_changes ${where.sql} ORDER BY id DESC LIMIT ?`, ...where.params, n),
    );
    return { changes: rows.map(fromChangeRow), hasNextPage };
  }

  async topologyChangesAfter(after: string, limit: number, upTo?: string): Promise<TopologyChangeEntry[]> {
    const rows = this.sql.all<TopologyChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM topology_changes WHERE id > ? AND (? IS NULL OR id <= ?) ORDER BY id LIMIT ?`,
      after,
      upTo ?? null,
      upTo ?? null,
      Math.max(0, Math.floor(limit)),
    );
    return rows.map(fromChangeRow);
  }

  async countTopologyChanges(after: string, upTo: string): Promise<number> {
    return this.sql.get<{ n: number }>('SELECT count(*) AS n FROM topology_changes WHERE id > ? AND id <= ?', after, upTo)!.n;
  }

  async pruneTopologyHistory(before: string): Promise<number> {
    return this.sql.transaction(() => {
      this.sql.run('UPDATE topology_history SET started_at = ? WHERE started_at < ?', before, before);
      return this.sql.run('DELETE FROM topology_changes WHERE at < ?', before);
    }, 'immediate');
  }
}
