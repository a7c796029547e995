import type { Cursor, Replay } from './event-log';

/** Gets each event with its cursor (src/live/event-log.ts). */
export type PubSubListener = (message: unknown, cursor: string) => void;

/**
 * Event fan-out between the parts of one process, or of every API instance when Redis is
 * configured. Messages are published in batches (one Redis message per batch) and delivered to
 * listeners one by one, in publish order per publisher, each with its cursor; the events of the
 * last LIVE_REPLAY_SECONDS (at most LIVE_REPLAY_MAX_EVENTS per channel) can be replayed.
 */
export interface PubSub {
  publish(channel: Channel, messages: unknown[]): Promise<void>;
  /** Listen on a channel; returns a function that stops listening. */
  subscribe(channel: Channel, listener: PubSubListener): () => void;
  /** The kept events of `channel` after `after`, oldest first. */
  replay(channel: Channel, after: Cursor): Promise<Replay>;
  close(): Promise<void>;
  /** Resolves when the transport answers (Redis PING), rejects otherwise; for readiness. Absent = always up. */
  ping?(): Promise<void>;
}

export const CHANNELS = {
  /** AssetStateEvent: accepted state changes. */
  state: 'twin.state',
  /** TopologyEvent: assets and relationships created, updated, deleted. */
  topology: 'twin.topology',
  /** ScenarioRunRecord: a scenario run after each status or progress change. */
  scenario: 'twin.scenario',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];
