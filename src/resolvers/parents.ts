import type { AssetListQuery, AssetRecord, Hop } from '../graph/types';
import type { ImpactEntry } from '../sim/impact';

/** What resolvers of object types receive as parent (codegen `mappers`). */
/** A hop, with its asset when the traversal loaded them all in one batch. */
export type HopParent = Hop & { asset?: AssetRecord };
export type ImpactedParent = ImpactEntry;

export interface EdgeParent {
  asset: AssetRecord;
  cursor: string;
}

/** A page plus the query that made it, so `totalCount` is only counted when asked for. */
export interface ConnectionParent {
  edges: EdgeParent[];
  hasNextPage: boolean;
  query: AssetListQuery;
}
