import { randomInt, randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { badInput, DomainError, notFound } from '../errors';
import type { ScenarioStore } from '../graph/ports/scenario-store';
import type { TopologyHistoryStore } from '../graph/ports/topology-history-store';
import type { TopologyReader } from '../graph/ports/topology-store';
import { AsOfTopology } from '../graph/as-of-topology';
import { timeArgument } from '../live/state-report';
import { requireAssets } from '../graph/require-assets';
import type { LoadFactor, ScenarioInput, ScenarioKind, ScenarioRunRecord } from '../graph/scenario-types';
import { CHANNELS, type PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ModelIndex } from '../model/twin-model';
import { checkAssetId, checkKind } from '../model/validate';
import type { ScenarioQueue } from './scenario-queue';

/** A scenario as submitted (GraphQL's ScenarioInput). */
export interface ScenarioRequest {
  kind: ScenarioKind;
  roots?: readonly string[] | null;
  maxDepth?: number | null;
  failed?: readonly string[] | null;
  loadFactors?: readonly { assetId?: string | null; kind?: string | null; factor: number }[] | null;
  samples?: number | null;
  seed?: number | null;
  asOf?: unknown;
  from?: unknown;
  to?: unknown;
  demand?: 'MODELED' | 'OBSERVED' | null;
  idempotencyKey?: string | null;
}

const MAX_FACTOR = 1000;
const MAX_IDEMPOTENCY_KEY = 200;

/**
 * Submitting and cancelling scenario runs. Everything is validated before a run exists; a run is
 * created QUEUED and enqueued, and when the queue is unreachable the run is removed again, so no
 * QUEUED run is left without a job.
 */
export class ScenarioService {
  constructor(
    private readonly store: ScenarioStore & TopologyReader & TopologyHistoryStore,
    private readonly model: ModelIndex,
    private readonly queue: ScenarioQueue,
    private readonly pubsub: PubSub,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  async submit(request: ScenarioRequest): Promise<ScenarioRunRecord> {
    const input = await this.validate(request);
    const key = request.idempotencyKey ?? null;
    if (key !== null && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY)) {
      throw badInput(`idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`, { field: 'input.idempotencyKey' });
    }
    const { run, created } = await this.store.createRun({
      id: randomUUID(),
      kind: input.kind,
      status: 'QUEUED',
      progress: 0,
      seed: input.seed,
      error: null,
      submittedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      summary: null,
      input,
      idempotencyKey: key,
      engineVersion: null,
      modelVersion: null,
      inputHash: null,
      attempts: 0,
    });
    if (!created) {
      if (!sameRequest(run.input, input, request.seed != null)) {
        throw new DomainError('CONFLICT', `idempotencyKey "${key}" was already used for a different scenario (run ${run.id})`, { runId: run.id });
      }
      return run;
    }
    try {
      await this.queue.enqueue(run.id);
    } catch (err) {
      await this.store.deleteRun(run.id).catch((e) => this.logger.error({ err: e, runId: run.id }, 'could not remove an unqueued run'));
      throw err;
    }
    await this.publish(run);
    return run;
  }

  async cancel(id: string): Promise<ScenarioRunRecord> {
    const [run] = await this.store.getRuns([id]);
    if (!run) throw notFound(`no scenario run with id "${id}"`, { field: 'id' });
    if (run.status === 'CANCELLED') return run;
    const cancelled = await this.store.updateRun(id, { status: 'CANCELLED', finishedAt: new Date().toISOString() }, ['QUEUED', 'RUNNING']);
    if (!cancelled) {
      const [now] = await this.store.getRuns([id]);
      if (now?.status === 'CANCELLED') return now;
      throw new DomainError('CONFLICT', `scenario run ${id} already finished (${now?.status ?? run.status})`, { status: now?.status ?? run.status });
    }
    // A queued job is dropped; a running one notices the status at its next progress check.
    await this.queue.removeWaiting(id).catch((err) => this.logger.warn({ err, runId: id }, 'could not remove a cancelled job'));
    await this.publish(cancelled);
    return cancelled;
  }

  private publish(run: ScenarioRunRecord): Promise<void> {
    return this.pubsub.publish(CHANNELS.scenario, [run]).catch((err) => this.logger.warn({ err, runId: run.id }, 'could not publish run update'));
  }

  private async validate(r: ScenarioRequest): Promise<ScenarioInput> {
    const field = (name: string) => `input.${name}`;
    const ids = (list: readonly string[] | null | undefined, name: string) => [...new Set((list ?? []).map((id, i) => checkAssetId(id, `${field(name)}[${i}]`)))];
    const roots = r.roots ? ids(r.roots, 'roots') : undefined;
    const failed = ids(r.failed, 'failed');
    if (roots && roots.length === 0) throw badInput('input.roots: give at least one root, or leave roots out for the whole twin', { field: field('roots') });
    if (r.maxDepth != null && !roots) throw badInput('input.maxDepth: only applies with roots', { field: field('maxDepth') });
    const cap = this.config.maxTraversalDepth;
    const maxDepth = roots ? (r.maxDepth ?? cap) : undefined;
    if (maxDepth !== undefined && (maxDepth < 0 || maxDepth > cap)) {
      throw badInput(`input.maxDepth must be from 0 to ${cap} (MAX_TRAVERSAL_DEPTH), got ${maxDepth}`, { field: field('maxDepth') });
    }
    if (r.kind === 'IMPACT' && failed.length === 0) throw badInput('input.failed: an IMPACT scenario needs at least one failed asset', { field: field('failed') });
    if (r.samples != null && r.kind !== 'RELIABILITY') throw badInput('input.samples: only applies to RELIABILITY', { field: field('samples') });
    if (r.loadFactors != null && r.kind !== 'LOAD') throw badInput('input.loadFactors: only applies to LOAD', { field: field('loadFactors') });
    if (r.demand != null && r.kind !== 'LOAD') throw badInput('input.demand: only applies to LOAD', { field: field('demand') });
    const window = this.checkWindow(r);
    const { maxSamples, defaultSamples } = this.config.scenarios;
    const samples = r.kind === 'RELIABILITY' ? (r.samples ?? Math.min(defaultSamples, maxSamples)) : undefined;
    if (samples !== undefined && (samples < 1 || samples > maxSamples)) {
      throw badInput(`input.samples must be from 1 to ${maxSamples} (SCENARIO_MAX_SAMPLES), got ${samples}`, { field: field('samples') });
    }
    const loadFactors = (r.loadFactors ?? []).map((f, i) => this.checkFactor(f, `${field('loadFactors')}[${i}]`));
    const factorIds = loadFactors.flatMap((f) => (f.assetId ? [f.assetId] : []));
    const asOf = r.asOf == null ? undefined : this.checkTime(r.asOf, 'asOf');
    // A replay names the assets of then (deleted since is fine; created since is not).
    const topology = asOf ? await AsOfTopology.open(this.store, this.model, asOf, this.config.history.asOfMaxChanges) : this.store;
    await requireAssets(topology, [...(roots ?? []), ...failed, ...factorIds], 'input');
    const input: ScenarioInput = { kind: r.kind, failed, loadFactors, seed: r.seed ?? randomInt(0, 2 ** 31 - 1) };
    if (roots) Object.assign(input, { roots, maxDepth });
    if (samples !== undefined) input.samples = samples;
    if (asOf) input.asOf = asOf;
    if (r.demand === 'OBSERVED') input.demand = 'OBSERVED';
    if (window) Object.assign(input, window);
    return input;
  }

  /** CALIBRATE's window of status history: required there, refused elsewhere, in the past. */
  private checkWindow(r: ScenarioRequest): { from: string; to: string } | undefined {
    if (r.kind !== 'CALIBRATE') {
      if (r.from != null || r.to != null) throw badInput('input.from/to: only apply to CALIBRATE', { field: 'input.from' });
      return undefined;
    }
    if (r.from == null || r.to == null) throw badInput('input.from and input.to: a CALIBRATE scenario needs the window of status history to estimate from', { field: 'input.from' });
    const [from, to] = [this.checkTime(r.from, 'from'), this.checkTime(r.to, 'to')];
    if (to <= from) throw badInput(`input.to (${to}) must be after input.from (${from})`, { field: 'input.to' });
    if (Date.parse(to) > Date.now()) throw badInput(`input.to (${to}) is in the future: a window of history must have happened`, { field: 'input.to' });
    return { from, to };
  }

  private checkTime(raw: unknown, name: string): string {
    return timeArgument(raw, `input.${name}`);
  }

  private checkFactor(f: NonNullable<ScenarioRequest['loadFactors']>[number], where: string): LoadFactor {
    if ((f.assetId == null) === (f.kind == null)) throw badInput(`${where}: set exactly one of assetId and kind`, { field: where });
    if (!Number.isFinite(f.factor) || f.factor < 0 || f.factor > MAX_FACTOR) {
      throw badInput(`${where}.factor must be from 0 to ${MAX_FACTOR}, got ${f.factor}`, { field: `${where}.factor` });
    }
    return f.assetId != null
      ? { assetId: checkAssetId(f.assetId, `${where}.assetId`), factor: f.factor }
      : { kind: checkKind(this.model, f.kind, `${where}.kind`), factor: f.factor };
  }
}

/** An idempotent resubmission must ask for the same thing (the seed only counts when given). */
function sameRequest(stored: ScenarioInput, asked: ScenarioInput, seedGiven: boolean): boolean {
  const strip = (i: ScenarioInput) => JSON.stringify({ ...i, seed: seedGiven ? i.seed : 0 });
  return strip(stored) === strip(asked);
}
