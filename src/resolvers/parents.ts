import type { AssetListQuery, AssetRecord, Hop, RelationshipRecord } from '../graph/types';
import type { ImpactEntry } from '../sim/impact';

/** What resolvers of object types receive as parent (codegen `mappers`). */

/**
 * Set on everything read under an `asOf` argument (ISO): the fields below it (relationships,
 * endpoints, hops) are read as of the same moment (see as-of.ts).
 */
export interface AsOf {
  asOf?: string;
}

export type AssetParent = AssetRecord & AsOf;
export type RelationshipParent = RelationshipRecord & AsOf;
/** A hop, with its asset when the traversal loaded them all in one batch. */
export type HopParent = Hop & AsOf & { asset?: AssetParent };
export type ImpactedParent = ImpactEntry & AsOf;

export interface EdgeParent {
  asset: AssetParent;
  cursor: string;
}

/** A page plus the query that made it, so `totalCount` is only counted when asked for. */
export interface ConnectionParent extends AsOf {
  edges: EdgeParent[];
  hasNextPage: boolean;
  query: AssetListQuery;
}
