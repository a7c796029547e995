import type { TopologyChangeEntry, TopologyChangeFilter } from '../topology-log';

/**
 * Topology history: what every topology write changed, with its time and the values before and
 * after (src/graph/topology-log.ts). The writes of TopologyStore append it inside their own
 * transactions; this port reads it back and prunes it with the audit trail's retention.
 */
export interface TopologyHistoryStore {
  /**
   * The earliest moment history covers (ISO): when this store began keeping it, or the cutoff of
   * the last prune, whichever is later. The twin as it was before then cannot be told.
   */
  topologyHistoryStart(): Promise<string>;

  /**
   * For every asset and relationship changed after `since` (exclusive), its first change after
   * it, in id order, at most `limit`: the `before` values are the twin as it was at `since`.
   */
  firstChangesSince(since: string, limit: number): Promise<TopologyChangeEntry[]>;

  /** Changes newest first (id descending); `after` is the id of the last change of the previous page. */
  listTopologyChanges(filter: TopologyChangeFilter, limit: number, after?: string): Promise<{ changes: TopologyChangeEntry[]; hasNextPage: boolean }>;

  /**
   * Changes with ids after `after` (exclusive) and, when given, up to `upTo` (inclusive), oldest
   * first (id ascending), at most `limit`: what a reader that follows the log (the topology
   * index, src/graph/topology-index.ts) has not seen yet. Ids compare as strings.
   */
  topologyChangesAfter(after: string, limit: number, upTo?: string): Promise<TopologyChangeEntry[]>;

  /** How many changes have ids after `after` (exclusive) and up to `upTo` (inclusive). */
  countTopologyChanges(after: string, upTo: string): Promise<number>;

  /** Delete changes before `before` (ISO) and move the start of history to it; returns how many went. */
  pruneTopologyHistory(before: string): Promise<number>;
}
