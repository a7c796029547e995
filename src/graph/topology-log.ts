import { TimeOrderedIds } from './time-ordered-ids';
import type { AssetRecord, Properties, RelationshipKey, RelationshipRecord } from './types';

/**
 * Topology history: every create, update and delete of an asset or relationship, with the server
 * time and the values before and after. Both adapters write these entries inside the write's own
 * transaction (so a committed change is never missing from history) and read them back for
 * `topologyChanges` and for `asOf` views (src/graph/as-of-topology.ts). Built here once, so both
 * log a write alike.
 */
export type TopologyAction = 'CREATE' | 'UPDATE' | 'DELETE';

/** An asset as topology history keeps it: what it is, not its live state (that is state history). */
export interface AssetVersion {
  id: string;
  kind: string;
  name: string | null;
  properties: Properties;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface ChangeBase {
  /** Time-ordered: a later change of the same thing has a larger id (compared as strings). */
  id: string;
  /** Server time of the write, ISO-8601. */
  at: string;
  action: TopologyAction;
}

export interface AssetChange extends ChangeBase {
  entity: 'ASSET';
  assetId: string;
  before: AssetVersion | null;
  after: AssetVersion | null;
}

export interface RelationshipChangeEntry extends ChangeBase {
  entity: 'RELATIONSHIP';
  relationship: RelationshipKey;
  before: RelationshipRecord | null;
  after: RelationshipRecord | null;
}

export type TopologyChangeEntry = AssetChange | RelationshipChangeEntry;

export interface TopologyChangeFilter {
  /** ISO-8601; `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  /** Changes of this asset and of relationships that touch it. */
  assetId?: string;
}

/** One key per asset or relationship: what `asOf` views group changes by. */
export const assetKey = (id: string) => `a:${id}`;
export const relationshipKey = (r: RelationshipKey) => `r:${r.from} ${r.type} ${r.to}`;
/** The order relationships are listed in, by (from, type, to): the stores' ORDER BY, for lists merged or built in memory. */
export const byRelationshipKey = (a: RelationshipKey, b: RelationshipKey) => compare(a.from, b.from) || compare(a.type, b.type) || compare(a.to, b.to);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const entryKey = (e: TopologyChangeEntry) => (e.entity === 'ASSET' ? assetKey(e.assetId) : relationshipKey(e.relationship));

export const assetVersion = (a: AssetRecord): AssetVersion => ({
  id: a.id,
  kind: a.kind,
  name: a.name,
  properties: a.properties,
  version: a.version,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});

const action = (before: unknown, after: unknown): TopologyAction => (before === null ? 'CREATE' : after === null ? 'DELETE' : 'UPDATE');
const sameRelationship = (a: RelationshipRecord, b: RelationshipRecord) => JSON.stringify(a.properties) === JSON.stringify(b.properties);

/**
 * Makes the entries of one write, all at one time, ids in the order given (so a relationship
 * removed with its asset is logged before the asset). One per adapter instance.
 */
export class TopologyLogger {
  private readonly ids = new TimeOrderedIds();

  /** The changed assets of an upsert batch: `stored` before it, `current` after (as in upsertChanges). */
  assetsWritten(ids: string[], stored: ReadonlyMap<string, AssetRecord>, current: ReadonlyMap<string, AssetRecord>): TopologyChangeEntry[] {
    return this.entries(
      ids.filter((id) => current.get(id) !== stored.get(id)).map((id) => this.asset(id, stored.get(id) ?? null, current.get(id) ?? null)),
    );
  }

  /** Assets deleted, and the relationships that went with them (or were removed explicitly). */
  removed(assets: AssetRecord[], relationships: RelationshipRecord[]): TopologyChangeEntry[] {
    return this.entries([...relationships.map((r) => this.relationship(r, null)), ...assets.map((a) => this.asset(a.id, a, null))]);
  }

  /** Relationships related: each key once with the properties it ended with, `stored` what it had before (absent: new). */
  related(written: RelationshipRecord[], stored: ReadonlyMap<string, RelationshipRecord>): TopologyChangeEntry[] {
    const last = new Map(written.map((r) => [relationshipKey(r), r]));
    const changed = [...last].filter(([key, r]) => {
      const before = stored.get(key);
      return !before || !sameRelationship(before, r);
    });
    return this.entries(changed.map(([key, r]) => this.relationship(stored.get(key) ?? null, r)));
  }

  private asset(id: string, before: AssetRecord | null, after: AssetRecord | null): Omit<AssetChange, 'id' | 'at'> {
    return { entity: 'ASSET', assetId: id, action: action(before, after), before: before && assetVersion(before), after: after && assetVersion(after) };
  }

  private relationship(before: RelationshipRecord | null, after: RelationshipRecord | null): Omit<RelationshipChangeEntry, 'id' | 'at'> {
    const { from, type, to } = (after ?? before)!;
    return { entity: 'RELATIONSHIP', relationship: { from, type, to }, action: action(before, after), before, after };
  }

  private entries(parts: Omit<TopologyChangeEntry, 'id' | 'at'>[]): TopologyChangeEntry[] {
    const now = Date.now();
    const at = new Date(now).toISOString();
    return parts.map((part) => ({ ...part, id: this.ids.next(now), at }) as TopologyChangeEntry);
  }
}

/** An entry as both stores keep it: flat columns, before/after as JSON text. */
export interface TopologyChangeRow {
  id: string;
  at: string;
  entity: 'ASSET' | 'RELATIONSHIP';
  action: TopologyAction;
  key: string;
  assetId: string | null;
  fromId: string | null;
  type: string | null;
  toId: string | null;
  before: string | null;
  after: string | null;
}

export function toChangeRow(e: TopologyChangeEntry): TopologyChangeRow {
  const rel = e.entity === 'RELATIONSHIP' ? e.relationship : null;
  return {
    id: e.id,
    at: e.at,
    entity: e.entity,
    action: e.action,
    key: entryKey(e),
    assetId: e.entity === 'ASSET' ? e.assetId : null,
    fromId: rel?.from ?? null,
    type: rel?.type ?? null,
    toId: rel?.to ?? null,
    before: e.before && JSON.stringify(e.before),
    after: e.after && JSON.stringify(e.after),
  };
}

export function fromChangeRow(row: TopologyChangeRow): TopologyChangeEntry {
  const base = { id: row.id, at: row.at, action: row.action, before: row.before === null ? null : JSON.parse(row.before), after: row.after === null ? null : JSON.parse(row.after) };
  return row.entity === 'ASSET'
    ? { ...base, entity: 'ASSET', assetId: row.assetId! }
    : { ...base, entity: 'RELATIONSHIP', relationship: { from: row.fromId!, type: row.type!, to: row.toId! } };
}
