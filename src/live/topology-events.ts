import type { TopologyChanges } from '../graph/types';
import type { Logger } from '../logger';
import type { TopologyEvent } from './events';
import { CHANNELS, type PubSub } from './pubsub';

/**
 * Topology events are a pure function of what a write changed (the change set the store returns
 * from inside the write's transaction), published by one mechanism for mutations and bulk
 * import alike. Publishing never throws: a failure is logged and the write stands.
 */

/** A TopologyEvent before it is stamped with the time of publication. */
export type TopologyChangeEvent = Omit<TopologyEvent, 'at'>;

/** The events of one write: relationships removed, assets removed, assets upserted, relationships upserted. */
export function topologyEvents(changes: TopologyChanges): TopologyChangeEvent[] {
  return [
    ...changes.relationshipsDeleted.map((relationship): TopologyChangeEvent => ({ change: 'RELATIONSHIP_DELETED', relationship })),
    ...changes.assetsDeleted.map((asset): TopologyChangeEvent => ({ change: 'ASSET_DELETED', asset })),
    ...changes.assetsUpserted.map((a): TopologyChangeEvent => ({ change: 'ASSET_UPSERTED', asset: { id: a.id, kind: a.kind } })),
    ...changes.relationshipsUpserted.map((relationship): TopologyChangeEvent => ({ change: 'RELATIONSHIP_UPSERTED', relationship })),
  ];
}

/** Publishes the events of topology writes on CHANNELS.topology. */
export class TopologyPublisher {
  constructor(
    private readonly pubsub: Pick<PubSub, 'publish'>,
    private readonly logger: Logger,
  ) {}

  /** Publish one write's events in one batch, stamped with one time; never rejects. */
  async publish(changes: TopologyChanges): Promise<void> {
    const events = topologyEvents(changes);
    if (events.length === 0) return;
    const at = new Date().toISOString();
    try {
      await this.pubsub.publish(CHANNELS.topology, events.map((e) => ({ ...e, at }) satisfies TopologyEvent));
    } catch (err) {
      this.logger.error({ err, events: events.length }, 'could not publish topology events');
    }
  }
}
