import { requireAssets } from '../graph/require-assets';
import type { NeighbourhoodDirection, SubscriptionResolvers } from '../generated/graphql';
import { badInput, notFound } from '../errors';
import type { ScenarioRunRecord } from '../graph/scenario-types';
import { reachable } from '../graph/traversal';
import type { DependencySide } from '../graph/types';
import { EventQueue, type SubscriberLink } from '../live/event-queue';
import type { AssetStateEvent, TopologyEvent } from '../live/events';
import { CHANNELS, type Channel } from '../live/pubsub';
import { checkKind } from '../model/validate';
import { depthArg, idsArg } from './arguments';
import type { RequestContext } from './context';
import { createLoaders } from './loaders';
import { fidelityCheckOf } from '../sim-queue/fidelity-checks';

/**
 * Subscription resolvers. Each subscription is an EventQueue over a PubSub channel, bounded by
 * the connection's limits (a slow consumer is disconnected, see src/server/websocket.ts), and
 * every event is resolved with a fresh DataLoader set.
 */

/** The context of an operation run over WebSocket: the transport adds its SubscriberLink. */
export type SubscriptionContext = RequestContext & { subscriber?: SubscriberLink };

/** Quiet time after a topology change before a neighbourhood is recomputed (changes often come in bursts). */
export const NEIGHBOURHOOD_DEBOUNCE_MS = 100;

function subscriberOf(ctx: RequestContext): SubscriberLink | undefined {
  return (ctx as SubscriptionContext).subscriber;
}

/** An EventQueue for one subscription, with the limits of the connection that carries it. */
function eventStream<T>(ctx: RequestContext, channel: Channel, filter?: (event: T) => boolean, onEnd?: () => void): EventQueue<T> {
  const link = subscriberOf(ctx);
  return new EventQueue<T>(ctx.pubsub, channel, {
    filter,
    maxQueued: link?.maxQueuedEvents ?? ctx.config.subscriptions.maxQueuedEvents,
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

const SIDES: Record<NeighbourhoodDirection, DependencySide[]> = {
  UPSTREAM: ['UPSTREAM'],
  DOWNSTREAM: ['DOWNSTREAM'],
  BOTH: ['UPSTREAM', 'DOWNSTREAM'],
};

/**
 * The root and the assets within `maxDepth` dependency hops of it, kept current: a topology
 * event that may change the set (a dependency relationship touching a member) schedules a
 * recomputation, debounced by NEIGHBOURHOOD_DEBOUNCE_MS, one reachable() walk per side. Until it
 * lands, state events are matched against the previous membership.
 */
class LiveNeighbourhood {
  members: ReadonlySet<string>;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private closed = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly ctx: RequestContext,
    private readonly root: string,
    private readonly maxDepth: number,
    private readonly sides: DependencySide[],
  ) {
    this.members = new Set([root]);
    // Listen before the first walk, so that a change made during it triggers another.
    this.stopListening = ctx.pubsub.subscribe(CHANNELS.topology, (message) => this.onTopology(message as TopologyEvent));
  }

  async refresh(): Promise<void> {
    const walks = await Promise.all(this.sides.map((side) => reachable(this.ctx.store, [this.root], side, { maxDepth: this.maxDepth })));
    const members = new Set([this.root]);
    for (const walk of walks) for (const hop of walk.get(this.root) ?? []) members.add(hop.id);
    if (!this.closed) this.members = members;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopListening();
  }

  private onTopology(event: TopologyEvent): void {
    const rel = event.relationship;
    if (!rel || this.closed) return;
    if (this.ctx.model.types.get(rel.type)?.dependency === 'NONE') return;
    // A relationship with no member at either end cannot change the set; while a walk is
    // running the set may be stale, so every dependency change counts then.
    if (this.running || this.members.has(rel.from.id) || this.members.has(rel.to.id)) this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = true;
      this.refresh()
        .catch((err: unknown) => this.ctx.logger.error({ err, root: this.root }, 'could not recompute a subscription neighbourhood'))
        .finally(() => {
          this.running = false;
          if (this.again) {
            this.again = false;
            this.schedule();
          }
        });
    }, NEIGHBOURHOOD_DEBOUNCE_MS);
  }
}

export const Subscription: SubscriptionResolvers = {
  assetStateChanged: {
    async subscribe(_, { ids, kinds, within }, ctx) {
      const idSet = ids == null ? null : new Set(idsArg(nonEmpty(ids, 'ids')!, 'ids'));
      const kindSet = kinds == null ? null : new Set(nonEmpty(kinds, 'kinds')!.map((k, i) => checkKind(ctx.model, k, `kinds[${i}]`)));
      let neighbourhood: LiveNeighbourhood | null = null;
      if (within) {
        const [root] = idsArg([within.root], 'within.root');
        const maxDepth = depthArg(ctx, within.maxDepth ?? 1, 'within.maxDepth');
        await requireAssets(ctx.store, [root], 'within.root');
        neighbourhood = new LiveNeighbourhood(ctx, root, maxDepth, SIDES[within.direction ?? 'BOTH']);
        try {
          await neighbourhood.refresh();
        } catch (err) {
          neighbourhood.close();
          throw err;
        }
      }
      const n = neighbourhood;
      return eventStream<AssetStateEvent>(
        ctx,
        CHANNELS.state,
        (e) => (idSet === null || idSet.has(e.assetId)) && (kindSet === null || kindSet.has(e.kind)) && (n === null || n.members.has(e.assetId)),
        () => n?.close(),
      );
    },
    // The event carries the asset after the change: AssetStateEvent.asset needs no store call.
    resolve(event: AssetStateEvent, _args: unknown, ctx: RequestContext) {
      freshLoaders(ctx);
      return event;
    },
  },

  topologyChanged: {
    subscribe: (_, __, ctx) => eventStream<TopologyEvent>(ctx, CHANNELS.topology),
    resolve(event: TopologyEvent, _args: unknown, ctx: RequestContext) {
      freshLoaders(ctx);
      return event;
    },
  },

  modelDrift: {
    subscribe: (_, __, ctx) => eventStream<ScenarioRunRecord>(ctx, CHANNELS.scenario, (run) => fidelityCheckOf(run, ctx.config.fidelity.driftMapeThreshold)?.drift === true),
    resolve: (run: ScenarioRunRecord, _args: unknown, ctx: RequestContext) => fidelityCheckOf(run, ctx.config.fidelity.driftMapeThreshold)!,
  },

  scenarioRunUpdated: {
    async subscribe(_, { id }, ctx) {
      const [run] = await ctx.store.getRuns([id]);
      if (!run) throw notFound(`id: no scenario run with id "${id}"`, { field: 'id' });
      return eventStream<ScenarioRunRecord>(ctx, CHANNELS.scenario, (r) => r.id === id);
    },
    resolve(run: ScenarioRunRecord, _args: unknown, ctx: RequestContext) {
      freshLoaders(ctx);
      return run;
    },
  },
};
