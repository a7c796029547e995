import type { AssetRecord, AssetRef, Scalar } from '../graph/types';

/** Published for every ACCEPTED state report: what moved, and the asset after it. */
export interface AssetStateEvent {
  assetId: string;
  kind: string;
  /** The metrics this report moved forward, with their new values. */
  changed: Record<string, Scalar>;
  observedAt: string;
  version: number;
  asset: AssetRecord;
}

export type TopologyChange = 'ASSET_UPSERTED' | 'ASSET_DELETED' | 'RELATIONSHIP_UPSERTED' | 'RELATIONSHIP_DELETED';

export type { AssetRef };

/** Published for every topology change; relationship events carry both endpoints' ids and kinds. */
export interface TopologyEvent {
  change: TopologyChange;
  at: string;
  asset?: AssetRef;
  relationship?: { type: string; from: AssetRef; to: AssetRef; properties?: Record<string, unknown> };
}
