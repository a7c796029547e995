import { badInput, notFound } from '../errors';
import type { ScenarioStore } from '../graph/ports/scenario-store';
import type { TopologyHistoryStore } from '../graph/ports/topology-history-store';
import type { TopologyStore } from '../graph/ports/topology-store';
import type { ScenarioRunRecord, SimulationResultRecord } from '../graph/scenario-types';
import type { AssetWrite, PropertyValue, TopologyChanges } from '../graph/types';

/**
 * Governed parameters: a SUCCEEDED CALIBRATE run's estimates written as asset properties through
 * the normal write path (versions, topology history, audit, topology events), each asset saying
 * which run they came from; and taken back, from topology history, to exactly what was there.
 */
export const CALIBRATED_KEYS = ['availability', 'mtbfHours', 'mttrHours', 'calibratedBy', 'calibratedAt'] as const;

export interface CalibrationDeps {
  store: ScenarioStore & TopologyStore & TopologyHistoryStore;
  /** Publishes what each write changed (topology events). */
  publish: (changes: TopologyChanges) => Promise<void>;
  /** Most assets one write takes (MAX_BATCH_RECORDS). */
  batch: number;
}

export interface CalibrationReport {
  runId: string;
  /** Assets whose properties were written. */
  changed: string[];
  /** Assets of the run left alone, with why (deleted since; calibrated by another run since). */
  skipped: { assetId: string; reason: string }[];
}

/** Every result of a run, in pages. */
async function allResults(store: ScenarioStore, runId: string): Promise<SimulationResultRecord[]> {
  const out: SimulationResultRecord[] = [];
  for (let after: string | undefined; ; ) {
    const page = await store.listResults(runId, 2000, after);
    out.push(...page.results);
    if (!page.hasNextPage) return out;
    after = page.results[page.results.length - 1].assetId;
  }
}

async function calibrateRun(store: ScenarioStore, runId: string): Promise<ScenarioRunRecord> {
  const [run] = await store.getRuns([runId]);
  if (!run) throw notFound(`no scenario run with id "${runId}"`, { field: 'runId' });
  if (run.kind !== 'CALIBRATE' || run.status !== 'SUCCEEDED') {
    throw badInput(`run ${runId} is a ${run.status} ${run.kind} run: only a SUCCEEDED CALIBRATE run can be applied or reverted`, { field: 'runId' });
  }
  return run;
}

async function write(deps: CalibrationDeps, writes: AssetWrite[]): Promise<void> {
  for (let i = 0; i < writes.length; i += deps.batch) {
    const { changes } = await deps.store.upsertAssets(writes.slice(i, i + deps.batch));
    await deps.publish(changes);
  }
}

/** Write the run's availability, MTBF and MTTR (those it estimated) on each calibrated asset that still exists. */
export async function applyCalibration(deps: CalibrationDeps, runId: string): Promise<CalibrationReport> {
  await calibrateRun(deps.store, runId);
  const results = await allResults(deps.store, runId);
  const assets = await deps.store.getAssets(results.map((r) => r.assetId));
  const at = new Date().toISOString();
  const skipped: CalibrationReport['skipped'] = [];
  const writes: AssetWrite[] = [];
  results.forEach((r, i) => {
    const asset = assets[i];
    if (!asset) return void skipped.push({ assetId: r.assetId, reason: 'deleted since the run' });
    const properties: Record<string, PropertyValue | null> = { calibratedBy: runId, calibratedAt: at };
    // An estimate the run could not make (no failure: no MTBF) leaves the property as it was.
    for (const key of ['availability', 'mtbfHours', 'mttrHours'] as const) if (r[key] !== null) properties[key] = r[key];
    writes.push({ id: asset.id, kind: asset.kind, properties });
  });
  await write(deps, writes);
  return { runId, changed: writes.map((w) => w.id), skipped };
}

/**
 * Put back, on each asset the run was applied to, the calibrated properties as they were just
 * before it was applied (from topology history). An asset calibrated by another run since is left
 * alone; a run that was never applied is refused.
 */
export async function revertCalibration(deps: CalibrationDeps, runId: string): Promise<CalibrationReport> {
  await calibrateRun(deps.store, runId);
  const results = await allResults(deps.store, runId);
  const assets = await deps.store.getAssets(results.map((r) => r.assetId));
  const skipped: CalibrationReport['skipped'] = [];
  const writes: AssetWrite[] = [];
  for (const [i, r] of results.entries()) {
    const asset = assets[i];
    if (!asset) {
      skipped.push({ assetId: r.assetId, reason: 'deleted since the run' });
      continue;
    }
    if (asset.properties.calibratedBy !== runId) {
      skipped.push({ assetId: r.assetId, reason: asset.properties.calibratedBy ? `calibrated by run ${String(asset.properties.calibratedBy)} since` : 'not calibrated by this run' });
      continue;
    }
    const before = await propertiesBeforeApply(deps.store, asset.id, runId);
    const properties: Record<string, PropertyValue | null> = {};
    for (const key of CALIBRATED_KEYS) properties[key] = before[key] ?? null;
    writes.push({ id: asset.id, kind: asset.kind, properties });
  }
  if (writes.length === 0) throw badInput(`run ${runId} is not applied to any asset now: nothing to revert`, { field: 'runId' });
  await write(deps, writes);
  return { runId, changed: writes.map((w) => w.id), skipped };
}

/**
 * An asset's properties just before `runId` was last applied to it: the `before` of the newest
 * change that set calibratedBy to it (history is read newest first).
 */
async function propertiesBeforeApply(store: TopologyHistoryStore, assetId: string, runId: string): Promise<Record<string, PropertyValue>> {
  for (let after: string | undefined; ; ) {
    const page = await store.listTopologyChanges({ assetId }, 200, after);
    for (const change of page.changes) {
      if (change.entity !== 'ASSET' || change.assetId !== assetId) continue;
      if (change.after?.properties.calibratedBy === runId && change.before?.properties.calibratedBy !== runId) return change.before?.properties ?? {};
    }
    if (!page.hasNextPage) throw new Error(`topology history of ${assetId} has no change applying run ${runId} (pruned?)`);
    after = page.changes[page.changes.length - 1].id;
  }
}
