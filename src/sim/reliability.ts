import { indexSnapshot } from './snapshot-index';
import { badInput } from '../errors';
import type { AssetRecord, GraphSnapshot } from '../graph/types';
import { redundancyGroups } from './impact';
import { Xoshiro128 } from './random';

/** Version of the reliability semantics; stored with scenario runs so results can be reproduced. */
export const RELIABILITY_ENGINE_VERSION = 'reliability/1';

/** Two-sided 95% normal quantile. */
const Z95 = 1.959963984540054;
const TWO_POW_32 = 4294967296;

export interface ReliabilityOptions {
  /** Monte Carlo samples to run (a positive integer). */
  samples: number;
  /** PRNG seed (a safe integer); same snapshot, samples and seed give identical results. */
  seed: number;
  /** Assets that are down in every sample (a "what if these are out" reliability run). */
  failed?: string[];
  /** Called with the fraction of samples done (0..1], at most once per `progressEvery` samples and once at the end. */
  onProgress?: (fraction: number) => void;
  /** Checked before every sample; when it returns true the run stops and reports the samples run so far. */
  shouldStop?: () => boolean;
  /** Samples between progress reports (and between yields of the async variant). Default: 1% of `samples`, at least 1. */
  progressEvery?: number;
  /** Kinds averaged into `summary.expectedServiceAvailability`. Default: `['Service']`. */
  serviceKinds?: string[];
}

export interface AssetAvailability {
  id: string;
  /** Estimated fraction of the time the asset is up (own availability and everything it depends on). */
  availability: number;
  /** 95% Wilson score interval. Exact (low = high) for assets that cannot vary: down in every state, or never exposed to any failure. */
  availabilityLow: number;
  availabilityHigh: number;
}

export interface ConvergencePoint {
  samples: number;
  /** Largest half-width of the 95% interval over all assets, after `samples` samples. */
  maxHalfWidth: number;
}

export interface ReliabilitySummary {
  engineVersion: string;
  /** Samples actually run (fewer than `requestedSamples` when stopped early). */
  samples: number;
  requestedSamples: number;
  seed: number;
  stoppedEarly: boolean;
  confidenceLevel: number;
  /** Checkpoints at 10%, 20%, ... 100% of the requested samples (and at the stop, when stopped early). */
  convergence: ConvergencePoint[];
  /** Mean estimated availability of the assets of `serviceKinds`; null when there are none (or no samples ran). */
  expectedServiceAvailability: number | null;
  serviceCount: number;
  /** Assets in `failed` (deduplicated, sorted). */
  failed: string[];
  /**
   * Consumers with a redundancy group that needs more suppliers than it has (`minLive` above the
   * group's size). They can never be up, so they are down in every sample, with everything that needs them.
   */
  unsatisfiable: string[];
}

export interface ReliabilityResult {
  /** Every asset of the snapshot (plus edge endpoints and `failed` ids missing from it), sorted by id. Empty when no sample ran. */
  assets: AssetAvailability[];
  summary: ReliabilitySummary;
}

/**
 * An asset's own availability: `availability` in [0, 1]; else `mtbfHours / (mtbfHours + mttrHours)`;
 * else 1 (it never fails on its own).
 * @throws DomainError (BAD_USER_INPUT) for a malformed value, naming the asset.
 */
export function ownAvailability(asset: AssetRecord | undefined): number {
  if (!asset) return 1;
  const p = asset.properties as Record<string, unknown>;
  const bad = (message: string) => badInput(`asset ${asset.id}: ${message}`, { assetId: asset.id });
  if (p.availability !== undefined && p.availability !== null) {
    const a = p.availability;
    if (typeof a !== 'number' || !(a >= 0 && a <= 1)) throw bad(`availability must be a number from 0 to 1, got ${JSON.stringify(a)}`);
    return a;
  }
  const mtbf = p.mtbfHours ?? undefined;
  const mttr = p.mttrHours ?? undefined;
  if (mtbf === undefined && mttr === undefined) return 1;
  if (typeof mtbf !== 'number' || !Number.isFinite(mtbf) || !(mtbf > 0)) {
    throw bad(`mtbfHours must be a positive number when mttrHours is given, got ${JSON.stringify(mtbf)}`);
  }
  if (typeof mttr !== 'number' || !Number.isFinite(mttr) || !(mttr >= 0)) {
    throw bad(`mttrHours must be a number of at least 0 when mtbfHours is given, got ${JSON.stringify(mttr)}`);
  }
  return mtbf / (mtbf + mttr);
}

/** 95% Wilson score interval for `successes` out of `n` trials (n > 0); well-behaved at p = 0 and p = 1. */
export function wilsonInterval(successes: number, n: number, z = Z95): { estimate: number; low: number; high: number } {
  const p = successes / n;
  // The ends in closed form, so floating noise cannot put a bound just off 0 or 1.
  if (successes === 0) return { estimate: 0, low: 0, high: (z * z) / (n + z * z) };
  if (successes === n) return { estimate: 1, low: n / (n + z * z), high: 1 };
  const z2n = (z * z) / n;
  const denominator = 1 + z2n;
  const center = (p + z2n / 2) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { estimate: p, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/**
 * The snapshot as integer indices and typed arrays. Assets are indexed in sorted id order, so
 * nothing depends on the order of the map or of the edges.
 */
interface Compiled {
  ids: string[];
  kinds: (string | null)[];
  /** Per redundancy group: its consumer, the live suppliers it needs, its number of suppliers. */
  groupConsumer: Int32Array;
  groupNeed: Float64Array;
  groupSize: Int32Array;
  /** CSR: the groups each asset supplies, `memberGroup[memberStart[i] .. memberStart[i + 1])`. */
  memberStart: Int32Array;
  memberGroup: Int32Array;
  /** Groups with more need than suppliers. */
  unsatisfiableGroups: number[];
}

function compile(snapshot: GraphSnapshot, failed: string[]): Compiled {
  const { ids, index, kinds } = indexSnapshot(snapshot, failed);

  const groupConsumer: number[] = [];
  const groupNeed: number[] = [];
  const groupSize: number[] = [];
  const memberships: [supplier: number, group: number][] = [];
  const unsatisfiableGroups: number[] = [];
  for (const [consumer, groups] of redundancyGroups(snapshot.edges)) {
    for (const group of groups) {
      const g = groupConsumer.length;
      groupConsumer.push(index.get(consumer)!);
      groupNeed.push(group.need);
      groupSize.push(group.suppliers.length);
      if (group.suppliers.length < group.need) unsatisfiableGroups.push(g);
      for (const supplier of group.suppliers) memberships.push([index.get(supplier)!, g]);
    }
  }
  const n = ids.length;
  const memberStart = new Int32Array(n + 1);
  for (const [s] of memberships) memberStart[s + 1]++;
  for (let i = 0; i < n; i++) memberStart[i + 1] += memberStart[i];
  const fill = memberStart.slice(0, n);
  const memberGroup = new Int32Array(memberships.length);
  for (const [s, g] of memberships) memberGroup[fill[s]++] = g;

  return {
    ids,
    kinds,
    groupConsumer: Int32Array.from(groupConsumer),
    groupNeed: Float64Array.from(groupNeed),
    groupSize: Int32Array.from(groupSize),
    memberStart,
    memberGroup,
    unsatisfiableGroups,
  };
}

/**
 * Per-sample state. `down` and `live` are kept at the baseline (the assets down in every sample:
 * `failed`, unsatisfiable consumers, and their cascade) between samples; a sample only touches
 * what fails in it and restores exactly that afterwards.
 */
class Sampler {
  readonly n: number;
  private readonly down: Uint8Array;
  private readonly live: Int32Array;
  private readonly baseLive: Int32Array;
  private readonly list: Int32Array;
  private readonly touched: Int32Array;
  /** Samples in which each asset was down (baseline-down assets are not counted here). */
  readonly downCount: Float64Array;
  readonly baseDown: Uint8Array;
  /** Assets whose state can vary: they, or something they transitively need, can fail on its own. */
  readonly uncertain: Uint8Array;
  private readonly candidates: Int32Array;
  private readonly thresholds: Float64Array;
  private readonly rng: Xoshiro128;
  samples = 0;

  constructor(private readonly c: Compiled, own: Float64Array, seed: number, alwaysDown: number[]) {
    const n = (this.n = c.ids.length);
    const groups = c.groupConsumer.length;
    this.down = new Uint8Array(n);
    this.live = Int32Array.from(c.groupSize);
    this.list = new Int32Array(n);
    this.touched = new Int32Array(groups);
    this.downCount = new Float64Array(n);
    this.rng = new Xoshiro128(seed);

    // Baseline cascade.
    let count = 0;
    for (const i of alwaysDown) {
      if (!this.down[i]) {
        this.down[i] = 1;
        this.list[count++] = i;
      }
    }
    for (let p = 0; p < count; p++) {
      const s = this.list[p];
      for (let m = c.memberStart[s]; m < c.memberStart[s + 1]; m++) {
        const g = c.memberGroup[m];
        if (--this.live[g] < c.groupNeed[g]) {
          const consumer = c.groupConsumer[g];
          if (!this.down[consumer]) {
            this.down[consumer] = 1;
            this.list[count++] = consumer;
          }
        }
      }
    }
    this.baseLive = this.live.slice();
    this.baseDown = this.down.slice();

    // Assets that may fail on their own (in sorted id order, which fixes the draw order).
    const candidates: number[] = [];
    const thresholds: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!this.baseDown[i] && own[i] < 1) {
        candidates.push(i);
        // Up when a uniform 32-bit draw is below threshold: probability own[i] (to 2^-32).
        thresholds.push(Math.floor(own[i] * TWO_POW_32));
      }
    }
    this.candidates = Int32Array.from(candidates);
    this.thresholds = Float64Array.from(thresholds);

    // Everything downstream of a candidate may vary; the rest is fixed (up, or baseline down).
    this.uncertain = new Uint8Array(n);
    const work = [...candidates];
    for (const i of candidates) this.uncertain[i] = 1;
    while (work.length > 0) {
      const s = work.pop()!;
      for (let m = c.memberStart[s]; m < c.memberStart[s + 1]; m++) {
        const consumer = c.groupConsumer[c.memberGroup[m]];
        if (!this.uncertain[consumer] && !this.baseDown[consumer]) {
          this.uncertain[consumer] = 1;
          work.push(consumer);
        }
      }
    }
  }

  /** One sample: draw own failures, cascade from them only, count, restore the baseline. */
  sample(): void {
    const { down, live, baseLive, list, touched, candidates, thresholds, rng, downCount } = this;
    const { memberStart, memberGroup, groupConsumer, groupNeed } = this.c;
    let count = 0;
    for (let k = 0; k < candidates.length; k++) {
      if (rng.nextUint32() >= thresholds[k]) {
        const i = candidates[k];
        down[i] = 1;
        list[count++] = i;
      }
    }
    let touchedCount = 0;
    for (let p = 0; p < count; p++) {
      const s = list[p];
      const end = memberStart[s + 1];
      for (let m = memberStart[s]; m < end; m++) {
        const g = memberGroup[m];
        if (live[g] === baseLive[g]) touched[touchedCount++] = g;
        if (--live[g] < groupNeed[g]) {
          const consumer = groupConsumer[g];
          if (!down[consumer]) {
            down[consumer] = 1;
            list[count++] = consumer;
          }
        }
      }
    }
    for (let p = 0; p < count; p++) {
      const i = list[p];
      down[i] = 0;
      downCount[i]++;
    }
    for (let q = 0; q < touchedCount; q++) {
      const g = touched[q];
      live[g] = baseLive[g];
    }
    this.samples++;
  }

  /** Availability estimate and interval of asset `i` after the samples run so far (at least one). */
  estimate(i: number): { estimate: number; low: number; high: number } {
    if (this.baseDown[i]) return { estimate: 0, low: 0, high: 0 };
    if (!this.uncertain[i]) return { estimate: 1, low: 1, high: 1 };
    return wilsonInterval(this.samples - this.downCount[i], this.samples);
  }

  maxHalfWidth(): number {
    let max = 0;
    for (let i = 0; i < this.n; i++) {
      if (!this.uncertain[i] || this.baseDown[i]) continue;
      const { low, high } = wilsonInterval(this.samples - this.downCount[i], this.samples);
      max = Math.max(max, (high - low) / 2);
    }
    return max;
  }
}

/** A reliability run in progress: iterate `steps` to run it (it yields between chunks), then read `result()`. */
export interface ReliabilityRun {
  steps: Iterable<void>;
  result(): ReliabilityResult;
}

function validateOptions(options: ReliabilityOptions) {
  const { samples, seed, progressEvery } = options;
  if (!Number.isSafeInteger(samples) || samples < 1) throw badInput(`samples must be a positive integer, got ${samples}`);
  if (!Number.isSafeInteger(seed)) throw badInput(`seed must be an integer, got ${seed}`);
  if (progressEvery !== undefined && (!Number.isSafeInteger(progressEvery) || progressEvery < 1)) {
    throw badInput(`progressEvery must be a positive integer, got ${progressEvery}`);
  }
}

/**
 * Prepare a reliability run: validates options and asset properties, compiles the snapshot and
 * runs the baseline cascade. Nothing is sampled until `steps` is iterated.
 */
export function startReliability(snapshot: GraphSnapshot, options: ReliabilityOptions): ReliabilityRun {
  validateOptions(options);
  const failed = [...new Set(options.failed ?? [])].sort();
  const compiled = compile(snapshot, failed);
  const own = Float64Array.from(compiled.ids, (id) => ownAvailability(snapshot.assets.get(id)));
  const index = new Map(compiled.ids.map((id, i) => [id, i]));
  const unsatisfiable = [...new Set(compiled.unsatisfiableGroups.map((g) => compiled.groupConsumer[g]))].sort((a, b) => a - b);
  const sampler = new Sampler(compiled, own, options.seed, [...failed.map((id) => index.get(id)!), ...unsatisfiable]);

  const requested = options.samples;
  const progressEvery = options.progressEvery ?? Math.max(1, Math.floor(requested / 100));
  const checkpoints = [...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => Math.ceil((requested * k) / 10)))];
  const convergence: ConvergencePoint[] = [];
  let stoppedEarly = false;

  function* steps(): Generator<void, void> {
    let next = 0;
    while (sampler.samples < requested) {
      if (options.shouldStop?.()) {
        stoppedEarly = true;
        break;
      }
      sampler.sample();
      const done = sampler.samples;
      if (done === checkpoints[next]) {
        convergence.push({ samples: done, maxHalfWidth: sampler.maxHalfWidth() });
        next++;
      }
      if (done % progressEvery === 0 || done === requested) {
        options.onProgress?.(done / requested);
        if (done < requested) yield;
      }
    }
    if (stoppedEarly && sampler.samples > 0 && convergence.at(-1)?.samples !== sampler.samples) {
      convergence.push({ samples: sampler.samples, maxHalfWidth: sampler.maxHalfWidth() });
    }
  }

  const serviceKinds = new Set(options.serviceKinds ?? ['Service']);
  function result(): ReliabilityResult {
    const ran = sampler.samples;
    const assets: AssetAvailability[] = [];
    let serviceSum = 0;
    let serviceCount = 0;
    for (let i = 0; ran > 0 && i < compiled.ids.length; i++) {
      const { estimate, low, high } = sampler.estimate(i);
      assets.push({ id: compiled.ids[i], availability: estimate, availabilityLow: low, availabilityHigh: high });
      const kind = compiled.kinds[i];
      if (kind !== null && serviceKinds.has(kind)) {
        serviceSum += estimate;
        serviceCount++;
      }
    }
    return {
      assets,
      summary: {
        engineVersion: RELIABILITY_ENGINE_VERSION,
        samples: ran,
        requestedSamples: requested,
        seed: options.seed,
        stoppedEarly,
        confidenceLevel: 0.95,
        convergence: [...convergence],
        expectedServiceAvailability: serviceCount > 0 ? serviceSum / serviceCount : null,
        serviceCount,
        failed,
        unsatisfiable: unsatisfiable.map((i) => compiled.ids[i]),
      },
    };
  }

  return { steps: { [Symbol.iterator]: steps }, result };
}

/**
 * RELIABILITY: Monte Carlo availability of every asset. Each sample draws independent own
 * failures (see `ownAvailability`; `failed` assets are always down), cascades them through the
 * redundancy groups exactly like IMPACT (a consumer is down while any of its groups has fewer live
 * suppliers than it needs), and counts which assets were up. Estimates come with 95% Wilson
 * intervals. Deterministic: same snapshot (in any order), samples and seed give identical results.
 * Synchronous; see `runReliabilityAsync` to let the event loop run between chunks.
 */
export function runReliability(snapshot: GraphSnapshot, options: ReliabilityOptions): ReliabilityResult {
  const run = startReliability(snapshot, options);
  for (const _ of run.steps);
  return run.result();
}

/**
 * Same as `runReliability` (same results), but yields to the event loop every `progressEvery`
 * samples, so that a cancellation arriving as an event can flip `shouldStop` mid-run.
 */
export async function runReliabilityAsync(snapshot: GraphSnapshot, options: ReliabilityOptions): Promise<ReliabilityResult> {
  const run = startReliability(snapshot, options);
  for (const _ of run.steps) await new Promise<void>((resolve) => setImmediate(resolve));
  return run.result();
}
