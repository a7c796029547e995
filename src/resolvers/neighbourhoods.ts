import { GraphQLError } from 'graphql';
import type { NeighbourhoodDirection } from '../generated/graphql';
import type { TopologyReader } from '../graph/ports/topology-store';
import { reachable } from '../graph/traversal';
import type { DependencySide } from '../graph/types';
import type { TopologyEvent } from '../live/events';
import { CHANNELS, type PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ModelIndex } from '../model/twin-model';

/** Quiet time after a topology change before a neighbourhood is recomputed (changes often come in bursts). */
export const NEIGHBOURHOOD_DEBOUNCE_MS = 100;

/** `extensions.code` of the error refusing a neighbourhood subscription past WS_MAX_NEIGHBOURHOODS. */
export const TOO_MANY_NEIGHBOURHOODS = 'TOO_MANY_NEIGHBOURHOODS';

/** What a neighbourhood is computed and kept current with: the instance's services. */
export interface NeighbourhoodServices {
  store: TopologyReader;
  pubsub: PubSub;
  model: ModelIndex;
  logger: Logger;
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
    private readonly services: NeighbourhoodServices,
    private readonly root: string,
    private readonly maxDepth: number,
    private readonly sides: DependencySide[],
  ) {
    this.members = new Set([root]);
    // Listen before the first walk, so that a change made during it triggers another.
    this.stopListening = services.pubsub.subscribe(CHANNELS.topology, (message) => this.onTopology(message as TopologyEvent));
  }

  async refresh(): Promise<void> {
    const walks = await Promise.all(this.sides.map((side) => reachable(this.services.store, [this.root], side, { maxDepth: this.maxDepth })));
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
    if (this.services.model.types.get(rel.type)?.dependency === 'NONE') return;
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
        .catch((err: unknown) => this.services.logger.error({ err, root: this.root }, 'could not recompute a subscription neighbourhood'))
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


/** One subscription's hold on a shared neighbourhood. */
export interface NeighbourhoodHold {
  /** The current members (the root included). */
  readonly members: ReadonlySet<string>;
  /** Done with it: the last holder's release stops keeping it current. Safe to call twice. */
  release(): void;
}

interface Entry {
  neighbourhood: LiveNeighbourhood;
  holders: number;
  /** The first walk; every holder waits for it. */
  ready: Promise<void>;
}

/**
 * The live neighbourhoods of one API instance, one per distinct root, depth and direction, shared
 * by every subscription that asks for the same: a wall of dashboards on the same UPS costs one
 * walk per topology change, not one per screen. At most `max` distinct neighbourhoods are kept
 * (WS_MAX_NEIGHBOURHOODS); a subscription that would add one more is refused with
 * TOO_MANY_NEIGHBOURHOODS, while one sharing an existing neighbourhood is always accepted.
 */
export class Neighbourhoods {
  private readonly live = new Map<string, Entry>();

  constructor(
    private readonly services: NeighbourhoodServices,
    private readonly max: number,
  ) {}

  /** The neighbourhood of `root`, computed (or shared) and kept current until released. */
  async acquire(root: string, maxDepth: number, direction: NeighbourhoodDirection): Promise<NeighbourhoodHold> {
    const key = JSON.stringify([root, maxDepth, direction]);
    let entry = this.live.get(key);
    if (!entry) {
      if (this.live.size >= this.max) {
        throw new GraphQLError(`too many distinct neighbourhoods (within) on this instance: at most ${this.max} (WS_MAX_NEIGHBOURHOODS); subscriptions with the same root, maxDepth and direction share one`, {
          extensions: { code: TOO_MANY_NEIGHBOURHOODS, limit: this.max },
        });
      }
      entry = this.add(key, new LiveNeighbourhood(this.services, root, maxDepth, SIDES[direction]));
    }
    entry.holders++;
    try {
      await entry.ready;
    } catch (err) {
      entry.holders--;
      throw err;
    }
    const held = entry;
    let released = false;
    return {
      get members() {
        return held.neighbourhood.members;
      },
      release: () => {
        if (released) return;
        released = true;
        if (--held.holders === 0 && this.live.get(key) === held) this.remove(key, held);
      },
    };
  }

  private add(key: string, neighbourhood: LiveNeighbourhood): Entry {
    const entry: Entry = { neighbourhood, holders: 0, ready: neighbourhood.refresh() };
    this.live.set(key, entry);
    // A first walk that fails is not kept: the next subscription tries again.
    entry.ready.catch(() => {
      if (this.live.get(key) === entry) this.remove(key, entry);
    });
    return entry;
  }

  private remove(key: string, entry: Entry): void {
    this.live.delete(key);
    entry.neighbourhood.close();
  }
}
