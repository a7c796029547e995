/**
 * Event fan-out between the parts of one process, or of every API instance when Redis is
 * configured. Messages are published in batches (one Redis message per batch) and delivered to
 * listeners one by one, in publish order per publisher.
 */
export interface PubSub {
  publish(channel: Channel, messages: unknown[]): Promise<void>;
  /** Listen on a channel; returns a function that stops listening. */
  subscribe(channel: Channel, listener: (message: unknown) => void): () => void;
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
