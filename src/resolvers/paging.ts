import { badInput } from '../errors';
import type { AssetCursor, Scalar } from '../graph/types';

/**
 * One cursor format for every connection: base64url of a JSON array holding the keys of the
 * last item of a page (an asset page: its sort value and id; every other connection: its id).
 * Opaque to clients; anything else passed as `after` is BAD_USER_INPUT.
 */
type Key = Scalar | null;

export function encodeCursor(keys: readonly Key[]): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

/** The keys of a cursor, when `valid` accepts them; BAD_USER_INPUT otherwise. */
function decodeCursor<T extends Key[]>(after: string, valid: (keys: unknown[]) => keys is T): T {
  try {
    const keys: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (Array.isArray(keys) && valid(keys)) return keys;
  } catch {
    // fall through to the error below
  }
  throw badInput('after: not a cursor returned by this API', { field: 'after' });
}

const isScalarOrNull = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** `after` of an asset page: the sort value and id of the last asset of the previous page. */
export function assetAfter(after: string | null | undefined): AssetCursor | undefined {
  if (after == null) return undefined;
  const [value, id] = decodeCursor(after, (k): k is [Key, string] => k.length === 2 && isScalarOrNull(k[0]) && typeof k[1] === 'string');
  return { value, id };
}

/** `after` of a connection keyed by id: the id of the last item of the previous page. */
export function idAfter(after: string | null | undefined): string | undefined {
  if (after == null) return undefined;
  return decodeCursor(after, (k): k is [string] => k.length === 1 && typeof k[0] === 'string' && k[0].length > 0)[0];
}

/** A `{ nodes, pageInfo }` connection whose cursor is the id (`keyOf`) of its last node. */
export function idConnection<T>(nodes: T[], hasNextPage: boolean, keyOf: (node: T) => string): { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } {
  const last = nodes.at(-1);
  return { nodes, pageInfo: { hasNextPage, endCursor: last === undefined ? null : encodeCursor([keyOf(last)]) } };
}

/** `after` of a history page: the time and metric of the last sample of the previous page. */
export function historyAfter(after: string | null | undefined): { observedAt: string; metric: string } | undefined {
  if (after == null) return undefined;
  const [observedAt, metric] = decodeCursor(after, (k): k is [string, string] => k.length === 2 && typeof k[0] === 'string' && !Number.isNaN(Date.parse(k[0])) && typeof k[1] === 'string');
  return { observedAt, metric };
}
