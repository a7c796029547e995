import type { TopologyHistoryStore } from '../ports/topology-history-store';
import { fromChangeRow, toChangeRow, type TopologyChangeEntry, type TopologyChangeFilter, type TopologyChangeRow } from '../topology-log';
import type { CypherRunner, Row } from './cypher-executor';
import type { CypherQuery } from './cypher-files';
import { chunks, keysetPage, Neo4jPart, pruneBatch, whole } from './neo4j-records';

/** The query files Neo4jTopologyHistory runs (Neo4jTopology runs topology-changes-append). */
export const TOPOLOGY_HISTORY_QUERY_NAMES = [
  'topology-history-begin',
  'topology-history-start',
  'topology-history-move',
  'topology-changes-first',
  'topology-changes-page',
  'topology-changes-for-asset',
  'topology-changes-after',
  'topology-changes-count',
  'topology-changes-prune',
] as const;

type TopologyHistoryQueryName = (typeof TOPOLOGY_HISTORY_QUERY_NAMES)[number];

/** Most changes one topology-changes-append statement takes. */
const APPEND_BATCH = 1_000;
/** Most changes one topology-changes-prune call deletes (repeated until fewer go). */
const PRUNE_BATCH = 10_000;

/** Append entries inside the caller's write transaction (the topology write they describe). */
export async function appendTopologyChanges(tx: CypherRunner, append: CypherQuery, entries: TopologyChangeEntry[]): Promise<void> {
  for (const batch of chunks(entries.map(toChangeRow), APPEND_BATCH)) await tx.run(append, { changes: batch });
}

/** A change as the read queries return it: absent properties come back as null. */
const toChange = (row: Row): TopologyChangeEntry => {
  const c = row.change as Record<string, unknown>;
  const column = (key: string) => (c[key] ?? null) as string | null;
  return fromChangeRow({
    id: c.id as string,
    at: c.at as string,
    entity: c.entity as TopologyChangeRow['entity'],
    action: c.action as TopologyChangeRow['action'],
    key: c.key as string,
    assetId: column('assetId'),
    fromId: column('fromId'),
    type: column('type'),
    toId: column('toId'),
    before: column('before'),
    after: column('after'),
  });
};

/**
 * Topology history in Neo4j: `(:TopologyChange)` nodes, one per change, written by Neo4jTopology
 * in each write's transaction, and one `(:TopologyHistory {startedAt})` saying since when.
 */
export class Neo4jTopologyHistory extends Neo4jPart<TopologyHistoryQueryName> implements TopologyHistoryStore {
  /** Begin keeping history (init, after the schema): a no-op once it has begun. */
  async begin(): Promise<void> {
    await this.executor.write(this.q('topology-history-begin'), { now: new Date().toISOString() });
  }

  async topologyHistoryStart(): Promise<string> {
    const [row] = await this.executor.read(this.q('topology-history-start'));
    if (!row) throw new Error('topology history has not begun: init() was not called');
    return row.startedAt as string;
  }

  async firstChangesSince(since: string, limit: number): Promise<TopologyChangeEntry[]> {
    const rows = await this.executor.read(this.q('topology-changes-first'), { since, limit: whole(Math.max(0, Math.floor(limit))) });
    return rows.map(toChange);
  }

  async listTopologyChanges(filter: TopologyChangeFilter, limit: number, after?: string) {
    const page = keysetPage(limit);
    const params = { from: filter.from ?? null, to: filter.to ?? null, after: after ?? null, limit: page.limit };
    const rows =
      filter.assetId === undefined
        ? await this.executor.read(this.q('topology-changes-page'), params)
        : await this.executor.read(this.q('topology-changes-for-asset'), { ...params, assetId: filter.assetId });
    const { rows: kept, hasNextPage } = page.split(rows);
    return { changes: kept.map(toChange), hasNextPage };
  }

  async topologyChangesAfter(after: string, limit: number, upTo?: string): Promise<TopologyChangeEntry[]> {
    const rows = await this.executor.read(this.q('topology-changes-after'), { after, upTo: upTo ?? null, limit: whole(Math.max(0, Math.floor(limit))) });
    return rows.map(toChange);
  }

  async countTopologyChanges(after: string, upTo: string): Promise<number> {
    const [row] = await this.executor.read(this.q('topology-changes-count'), { after, upTo });
    return row.count as number;
  }

  async pruneTopologyHistory(before: string): Promise<number> {
    await this.executor.write(this.q('topology-history-move'), { before });
    let total = 0;
    for (;;) {
      const pruned = await pruneBatch(this.executor, this.q('topology-changes-prune'), { before }, PRUNE_BATCH);
      total += pruned;
      if (pruned < PRUNE_BATCH) return total;
    }
  }
}
