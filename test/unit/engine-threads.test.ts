/** Scenario engines in worker threads (src/sim-queue/run-engine-in-thread.ts), which are kept between runs. */
import { DomainError } from '../../src/errors';
import type { ScenarioInput } from '../../src/graph/scenario-types';
import type { AssetRecord, GraphSnapshot, Properties } from '../../src/graph/types';
import { runScenarioEngine } from '../../src/sim/scenario-engine';
import { runEngineInThread } from '../../src/sim-queue/run-engine-in-thread';

function asset(id: string, properties: Properties = {}): AssetRecord {
  const now = '2026-01-01T00:00:00.000Z';
  return { id, kind: 'Thing', name: null, properties, state: {}, stateObservedAt: {}, status: null, version: 1, createdAt: now, updatedAt: now };
}
/** A chain a → b → … of `n` assets, each depending on the one before, each up 99% of the time. */
function chain(n: number, properties: Properties = { availability: 0.99 }): GraphSnapshot {
  const ids = Array.from({ length: n }, (_, i) => `a${i}`);
  return {
    assets: new Map(ids.map((id) => [id, asset(id, properties)])),
    edges: ids.slice(1).map((id, i) => ({ supplier: ids[i], consumer: id, relationship: { from: ids[i], to: id, type: 'FEEDS', properties: {} } })),
  };
}
const impact = (failed: string): ScenarioInput => ({ kind: 'IMPACT', failed: [failed], loadFactors: [], seed: 1 });
const reliability = (samples: number): ScenarioInput => ({ kind: 'RELIABILITY', failed: [], loadFactors: [], samples, seed: 7 });

describe('engine threads', () => {
  const twin = chain(50);

  it('give what the engine gives in this thread, run after run and several at once', async () => {
    for (const failed of ['a0', 'a10', 'a49']) {
      expect(await runEngineInThread(impact(failed), twin, () => undefined).output).toEqual(runScenarioEngine(impact(failed), twin));
    }
    // More at once than threads are kept idle: each gets its own thread, and its own answer.
    const inputs = ['a1', 'a2', 'a3', 'a4'].map(impact).concat(reliability(2000));
    const outputs = await Promise.all(inputs.map((input) => runEngineInThread(input, twin, () => undefined).output));
    expect(outputs).toEqual(inputs.map((input) => runScenarioEngine(input, twin)));
  });

  it('refuse bad input as the caller\'s error, and the next run still works', async () => {
    const bad = chain(3, { availability: 1.5 });
    const refused = runEngineInThread(reliability(100), bad, () => undefined).output;
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toThrow(/availability/);
    expect(await runEngineInThread(impact('a0'), twin, () => undefined).output).toEqual(runScenarioEngine(impact('a0'), twin));
  });

  it('stop a run when asked, with progress until then, and the next run is not stopped', async () => {
    const progress: number[] = [];
    const run = runEngineInThread(reliability(5_000_000), twin, (fraction) => {
      progress.push(fraction);
      run.stop();
    });
    const stopped = await run.output;
    expect(stopped.complete).toBe(false);
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeLessThan(1);
    const next = await runEngineInThread(reliability(2000), twin, () => undefined).output;
    expect(next).toEqual(runScenarioEngine(reliability(2000), twin));
    expect(next.complete).toBe(true);
  });
});
