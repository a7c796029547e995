import { int, type Integer } from 'neo4j-driver';
import { RESERVED_PROPERTY_KEYS } from '../../model/validate';
import type { AssetRecord, Properties, PropertyValue, Scalar } from '../types';
import type { CypherExecutor, Params, Row } from './cypher-executor';
import type { CypherQueries, CypherQuery } from './cypher-files';

/** What several parts of the Neo4j adapter share: row mappers, Integer conversion, paging and pruning. */

/** Properties the store keeps on a node for itself: reserved names and anything starting with `_`. */
export const isStoreKey = (key: string) => RESERVED_PROPERTY_KEYS.has(key) || key.startsWith('_');

/** A whole number as a Neo4j Integer (seeds, counters, depths), so it stays an integer there. */
export const whole = (n: number | null | undefined): unknown => (typeof n === 'number' && Number.isSafeInteger(n) ? int(n) : (n ?? null));

export const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
export const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The number in `column` of a statement's single result row (counts: deleted, removed, total...); 0 without a row. */
export const countIn = (rows: Row[], column: string): number => (rows[0]?.[column] as number | undefined) ?? 0;

/** A JSON object kept as a string property (`_state`, `_stateObservedAt`); {} when absent or unreadable. */
function parseJsonMap<T>(raw: unknown): Record<string, T> {
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
  } catch {
    return {};
  }
}

/** A node's property map (from `a {.*}`) as an AssetRecord (read by topology and by live state). */
export function toAsset(node: Record<string, unknown>): AssetRecord {
  const properties: Properties = {};
  for (const key of Object.keys(node).sort()) {
    if (!isStoreKey(key)) properties[key] = node[key] as PropertyValue;
  }
  return {
    id: node.id as string,
    kind: node.kind as string,
    name: (node.name as string | null | undefined) ?? null,
    properties,
    state: parseJsonMap<Scalar>(node._state),
    stateObservedAt: parseJsonMap<string>(node._stateObservedAt),
    status: typeof node.status === 'string' ? node.status : null,
    version: typeof node.version === 'number' ? node.version : 0,
    createdAt: node.createdAt as string,
    updatedAt: node.updatedAt as string,
  };
}

/** Records aligned with `ids`: the record of each id, null where there is none. */
export function alignById<T>(ids: string[], records: T[], idOf: (record: T) => string): (T | null)[] {
  const byId = new Map(records.map((record) => [idOf(record), record]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * Distinct ids, sorted: the order every write transaction locks nodes in (assets, state events,
 * results), so that concurrent batches queue rather than deadlock.
 */
export const lockOrder = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

/** Consecutive slices of at most `size` items: the batches of one UNWIND statement each. */
export function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Keyset paging: a page query is asked for one row more than the page holds (`limit`), and
 * `split` keeps the page and tells from that extra row whether another page follows.
 */
export function keysetPage(limit: number): { limit: Integer; split: (rows: Row[]) => { rows: Row[]; hasNextPage: boolean } } {
  const size = Math.max(0, Math.floor(limit));
  return { limit: int(size + 1), split: (rows) => ({ rows: rows.slice(0, size), hasNextPage: rows.length > size }) };
}

/**
 * One bounded delete of a retention query (state-events-prune, audit-prune: at most `limit`
 * nodes, each call its own transaction); returns how many went (`limit` means there may be more).
 */
export async function pruneBatch(executor: CypherExecutor, query: CypherQuery, params: Params, limit: number): Promise<number> {
  return countIn(await executor.write(query, { ...params, limit: int(limit) }), 'pruned');
}

/**
 * What each part of the Neo4j store (topology, live state, scenarios, audit) is built on: the one
 * executor, and `q` for a query by name, typed so that a part names only its own query files.
 */
export abstract class Neo4jPart<QueryName extends string> {
  constructor(
    protected readonly executor: CypherExecutor,
    private readonly queries: CypherQueries,
  ) {}

  protected q(name: QueryName): CypherQuery {
    return this.queries.get(name);
  }
}
