import { requireAssets } from '../graph/require-assets';
import type { SubscriptionResolvers } from '../generated/graphql';
import { badInput, notFound } from '../errors';
import type { ScenarioRunRecord } from '../graph/scenario-types';
import { cursorArg } from '../live/event-log';
import { EventQueue, type SubscriberLink } from '../live/event-queue';
import type { AssetStateEvent, TopologyEvent } from '../live/events';
import { CHANNELS, type Channel } from '../live/pubsub';
import { checkKind } from '../model/validate';
import { depthArg, idsArg } from './arguments';
import type { RequestContext } from './context';
import { createLoaders } from './loaders';
import { fidelityCheckOf } from '../sim-queue/fidelity-checks';
import type { NeighbourhoodHold } from './neighbourhoods';

/**
 * Subscription resolvers. Each subscription is an EventQueue over a PubSub channel, bounded by
 * the connection's limits (a slow consumer is disconnected, see src/server/websocket.ts), and
 * every event is resolved with a fresh DataLoader set.
 */

/** The context of an operation run over WebSocket: the transport adds its SubscriberLink. */
export type SubscriptionContext = RequestContext & {
  subscriber?: SubscriberLink;
  /** A resuming subscriber's catching up: replay, then end instead of going live (src/server/shared-subscriptions.ts). */
  replayOnly?: boolean;
};

function subscriberOf(ctx: RequestContext): SubscriberLink | undefined {
  return (ctx as SubscriptionContext).subscriber;
}

interface StreamOptions<T> {
  filter?: (event: T) => boolean;
  onEnd?: () => void;
  /** The subscription's `after`: resume from this cursor. */
  after?: string | null;
}

/** An EventQueue for one subscription, with the limits of the connection that carries it. */
function eventStream<T>(ctx: RequestContext, channel: Channel, { filter, onEnd, after }: StreamOptions<T> = {}): EventQueue<T> {
  const link = subscriberOf(ctx);
  const { replayOnly } = ctx as SubscriptionContext;
  const maxQueued = link?.maxQueuedEvents ?? ctx.config.subscriptions.maxQueuedEvents;
  return new EventQueue<T>(ctx.pubsub, channel, {
    filter,
    after: after == null ? undefined : cursorArg(after),
    onReplayed: (count) => ctx.deliveries?.replayed(count),
    replayOnly,
    // Catching up holds the live events that arrive while the replay is read: as many as it could replay.
    maxQueued: replayOnly ? Math.max(maxQueued, ctx.config.replay.maxEvents) : maxQueued,
    maxQueuedName: 'WS_MAX_QUEUED_EVENTS',
    backpressure: link ? () => link.backpressure() : undefined,
    onOverflow: (reason) => {
      if (link) link.disconnect(reason);
      else ctx.logger.warn({ reason, channel }, 'subscription ended: its consumer is too slow');
    },
    onEnd,
  });
}

/** A new DataLoader set for each event: nothing cached while resolving one event leaks into the next. */
function freshLoaders(ctx: RequestContext): void {
  ctx.loaders = createLoaders(ctx.store, ctx.history);
  ctx.asOfScopes = new Map();
}

function nonEmpty<T>(list: readonly T[] | null | undefined, name: string): readonly T[] | undefined {
  if (list == null) return undefined;
  if (list.length === 0) throw badInput(`${name}: give at least one value, or leave ${name} out to match all`, { field: name });
  return list;
}

export const Subscription: SubscriptionResolvers = {
  assetStateChanged: {
    async subscribe(_, { ids, kinds, within, after }, ctx) {
      if (after != null) cursorArg(after);
      const idSet = ids == null ? null : new Set(idsArg(nonEmpty(ids, 'ids')!, 'ids'));
      const kindSet = kinds == null ? null : new Set(nonEmpty(kinds, 'kinds')!.map((k, i) => checkKind(ctx.model, k, `kinds[${i}]`)));
      let n: NeighbourhoodHold | null = null;
      if (within) {
        const [root] = idsArg([within.root], 'within.root');
        const maxDepth = depthArg(ctx, within.maxDepth ?? 1, 'within.maxDepth');
        await requireAssets(ctx.store, [root], 'within.root');
        n = await ctx.neighbourhoods.acquire(root, maxDepth, within.direction ?? 'BOTH');
      }
      const hold = n;
      return eventStream<AssetStateEvent>(ctx, CHANNELS.state, {
        filter: (e) => (idSet === null || idSet.has(e.assetId)) && (kindSet === null || kindSet.has(e.kind)) && (hold === null || hold.members.has(e.assetId)),
        onEnd: () => hold?.release(),
        after,
      });
    },
    // The event carries the asset after the change: AssetStateEvent.asset needs no store call.
    resolve(event: AssetStateEvent, _args: unknown, ctx: RequestContext) {
      freshLoaders(ctx);
      return event;
    },
  },

  topologyChanged: {
    subscribe: (_, { after }, ctx) => eventStream<TopologyEvent>(ctx, CHANNELS.topology, { after }),
    resolve(event: TopologyEvent, _args: unknown, ctx: RequestContext) {
      freshLoaders(ctx);
      return event;
    },
  },

  modelDrift: {
    subscribe: (_, __, ctx) => eventStream<ScenarioRunRecord>(ctx, CHANNELS.scenario, { filter: (run) => fidelityCheckOf(run, ctx.config.fidelity.driftMapeThreshold)?.drift === true }),
    resolve: (run: ScenarioRunRecord, _args: unknown, ctx: RequestContext) => fidelityCheckOf(run, ctx.config.fidelity.driftMapeThreshold)!,
  },

  scenarioRunUpdated: {
    async subscribe(_, { id, after }, ctx) {
      if (after != null) cursorArg(after);
      const [run] = await ctx.store.getRuns([id]);
      if (!run) throw notFound(`id: no scenario run with id "${id}"`, { field: 'id' });
      return eventStream<ScenarioRunRecord>(ctx, CHANNELS.scenario, { filter: (r) => r.id === id, after });
    },
    resolve(run: ScenarioRunRecord, _args: unknown, ctx: RequestContext) {
      freshLoaders(ctx);
      return run;
    },
  },
};
