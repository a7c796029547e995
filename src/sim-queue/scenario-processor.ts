import { createHash } from 'node:crypto';
import { DomainError } from '../errors';
import type { ScenarioStore } from '../graph/ports/scenario-store';
import { AsOfTopology } from '../graph/as-of-topology';
import type { TopologyHistoryStore } from '../graph/ports/topology-history-store';
import type { TopologyReader } from '../graph/ports/topology-store';
import type { ScenarioRunPatch, ScenarioRunRecord, SimulationResultRecord } from '../graph/scenario-types';
import { asOneReader } from '../graph/request-deadline';
import { loadSnapshot } from '../graph/traversal';
import type { GraphSnapshot } from '../graph/types';
import { CHANNELS, type PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ModelIndex } from '../model/twin-model';
import type { ScenarioJobObserver } from './scenario-job-observer';
import { runEngineInThread } from './run-engine-in-thread';
import type { HistoryStore } from '../history/history-store';
import { PermanentRunError } from './permanent-run-error';
import { compareWithObserved, observe, type Observed } from './run-observations';

export interface ProcessorDeps {
  store: ScenarioStore & TopologyReader & TopologyHistoryStore;
  model: ModelIndex;
  /** Most things changed since a replay's asOf that its snapshot may undo (HISTORY_ASOF_MAX_CHANGES). Default 100,000. */
  asOfMaxChanges?: number;
  /** State history: observed demand and load for LOAD runs (without it, LOAD has no fidelity and refuses OBSERVED demand). */
  history?: Pick<HistoryStore, 'valuesAt' | 'samples'>;
  /** Where run updates go (only `publish` is used). */
  pubsub: Pick<PubSub, 'publish'>;
  logger: Logger;
  /** Least time between two progress writes (and cancellation checks). Default 500 ms. */
  progressIntervalMs?: number;
  /** Told how each attempt that ran ended and how long it took (metrics); optional. */
  observer?: ScenarioJobObserver;
}

/** Which attempt this is, so the last failure can mark the run FAILED. */
export interface Attempt {
  number: number;
  max: number;
}

const DEFAULT_AS_OF_MAX_CHANGES = 100_000;
/** Results written per store transaction. */
const RESULT_BATCH = 2000;
/** Share of progress for the engine; writing results takes the rest. */
const ENGINE_SHARE = 0.9;
const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * One scenario job, shared by the BullMQ worker and the in-process runner. At-least-once safe:
 * a finished run is left alone, a run found RUNNING (its worker died) starts over, and results
 * are upserted per (run, asset), so a retry never duplicates them. Moves QUEUED → RUNNING →
 * SUCCEEDED, or FAILED on the last attempt; stops when the run is CANCELLED meanwhile.
 */
export function processScenarioRun(runId: string, deps: ProcessorDeps, attempt: Attempt): Promise<void> {
  // One reader: the topology index catches up once for the run, not for each of its reads.
  return asOneReader(() => processRun(runId, deps, attempt));
}

async function processRun(runId: string, deps: ProcessorDeps, attempt: Attempt): Promise<void> {
  const { store } = deps;
  let lastStatus = '';
  // `written` runs between the store write and the publish: whatever a subscriber reads after
  // seeing the update (the job metric) is already recorded.
  const update: Update = async (patch, from, written) => {
    const run = await store.updateRun(runId, patch, from);
    if (run) lastStatus = run.status; // how the attempt ended, for metrics
    if (run) written?.();
    if (run) await deps.pubsub.publish(CHANNELS.scenario, [run]).catch((err) => deps.logger.warn({ err, runId }, 'could not publish run update'));
    return run;
  };
  const [stored] = await store.getRuns([runId]);
  if (!stored) throw new PermanentRunError(`scenario run ${runId} does not exist`);
  if (FINISHED.includes(stored.status)) return;
  const run = await update(
    { status: 'RUNNING', startedAt: stored.startedAt ?? new Date().toISOString(), attempts: stored.attempts + 1, progress: 0, error: null },
    ['QUEUED', 'RUNNING'],
  );
  if (!run) return; // cancelled before it started
  const log = deps.logger.child({ runId, kind: run.kind, attempt: attempt.number });
  const started = process.hrtime.bigint();
  const finished = (outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'RETRYING') =>
    deps.observer?.scenarioJobFinished(run.kind, outcome, Number(process.hrtime.bigint() - started) / 1e9);
  try {
    await execute(run, deps, update, log, () => finished('SUCCEEDED'));
    // execute returns early only when the run was cancelled meanwhile.
    if (lastStatus !== 'SUCCEEDED') finished('CANCELLED');
  } catch (err) {
    const permanent = err instanceof PermanentRunError || (err instanceof DomainError && err.code === 'BAD_USER_INPUT');
    const message = err instanceof Error ? err.message : String(err);
    if (permanent || attempt.number >= attempt.max) {
      log.error({ err }, 'scenario run failed');
      finished('FAILED');
      await update({ status: 'FAILED', error: message, finishedAt: new Date().toISOString() }, ['RUNNING', 'QUEUED']);
      if (permanent) throw new PermanentRunError(message);
    } else {
      log.warn({ err }, 'scenario attempt failed; it will be retried');
      finished('RETRYING');
      await update({ status: 'QUEUED', error: `attempt ${attempt.number} of ${attempt.max} failed: ${message}; retrying` }, ['RUNNING']);
    }
    throw err;
  }
}

type Update = (patch: ScenarioRunPatch, from: string[], written?: () => void) => Promise<ScenarioRunRecord | null>;

async function execute(run: ScenarioRunRecord, deps: ProcessorDeps, update: Update, log: Logger, succeeded: () => void): Promise<void> {
  // A replay (input.asOf) runs on the twin as it was then; the input hash covers asOf and that twin.
  const { asOf } = run.input;
  const topology = asOf ? await AsOfTopology.open(deps.store, deps.model, asOf, deps.asOfMaxChanges ?? DEFAULT_AS_OF_MAX_CHANGES) : deps.store;
  const snapshot = await loadSnapshot(topology, { roots: run.input.roots, maxDepth: run.input.maxDepth ?? 0 });
  const missing = [...(run.input.roots ?? []), ...run.input.failed].filter((id) => !snapshot.assets.has(id));
  if (missing.length) throw new PermanentRunError(`assets no longer exist: ${missing.join(', ')}`);
  const observed = await observe(run, snapshot, deps);
  const inputHash = hashInput(run, snapshot, observed);

  // Progress is written (and cancellation noticed) at most once per interval.
  const interval = deps.progressIntervalMs ?? 500;
  let lastWrite = 0;
  let cancelled = false;
  let pending: Promise<unknown> = Promise.resolve();
  const engine = runEngineInThread(run.input, snapshot, (fraction) => {
    const now = Date.now();
    if (now - lastWrite < interval) return;
    lastWrite = now;
    pending = pending.then(async () => {
      if (!(await update({ progress: fraction * ENGINE_SHARE }, ['RUNNING']))) {
        cancelled = true;
        engine.stop();
      }
    });
  }, { demandKw: observed.demandKw, statuses: observed.statuses });
  const output = compareWithObserved(await engine.output, observed);
  await pending;
  if (cancelled || !output.complete) {
    log.info('scenario run stopped: cancelled');
    return;
  }

  const results: SimulationResultRecord[] = output.results.map((r) => ({ ...r, runId: run.id }));
  for (let i = 0; i < results.length; i += RESULT_BATCH) {
    if (!(await deps.store.writeResults(run.id, results.slice(i, i + RESULT_BATCH)))) return; // cancelled meanwhile
    const progress = ENGINE_SHARE + ((1 - ENGINE_SHARE) * Math.min(results.length, i + RESULT_BATCH)) / results.length;
    if (!(await update({ progress }, ['RUNNING']))) return; // cancelled while writing
  }
  await update(
    {
      status: 'SUCCEEDED',
      progress: 1,
      error: null,
      finishedAt: new Date().toISOString(),
      summary: output.summary,
      engineVersion: output.engineVersion,
      modelVersion: `${deps.model.model.name}@${deps.model.model.version}`,
      inputHash,
    },
    ['RUNNING'],
    succeeded,
  );
  log.info({ results: results.length }, 'scenario run succeeded');
}

/**
 * A hash of what the engine saw: the scenario input and the snapshot in a canonical order
 * (asset ids, kinds, properties; edges), so equal hashes mean the same inputs.
 */
export function hashInput(run: Pick<ScenarioRunRecord, 'input'>, snapshot: GraphSnapshot, observed: Observed = {}): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(run.input));
  // What was observed feeds the engine (demand) and the summary (fidelity): part of the input.
  for (const values of [observed.demandKw, observed.loadKw, observed.statuses]) hash.update(JSON.stringify(values ? [...values].sort(([a], [b]) => (a < b ? -1 : 1)) : null));
  for (const id of [...snapshot.assets.keys()].sort()) {
    const a = snapshot.assets.get(id)!;
    hash.update(JSON.stringify([a.id, a.kind, Object.entries(a.properties).sort(([x], [y]) => (x < y ? -1 : 1))]));
  }
  const edges = snapshot.edges
    .map((e) => JSON.stringify([e.supplier, e.consumer, e.relationship.type, Object.entries(e.relationship.properties).sort(([x], [y]) => (x < y ? -1 : 1))]))
    .sort();
  for (const e of edges) hash.update(e);
  return hash.digest('hex');
}
