import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import type { GraphStore } from '../../src/graph/graph-store';
import { InProcessPubSub } from '../../src/live/in-process-pubsub';
import { createLogger } from '../../src/logger';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { createScenarioWorker } from '../../src/sim-queue/bull-scenario-queue';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { openTestStore, storeEnv } from '../support/stores/test-store';
import { RUN_SCENARIO, runResults, runUpdatesUntilSucceeded, seedScenarioTwin, waitForRun } from '../support/scenario-helpers';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Scenarios on BullMQ with a real redis-server: the API enqueues, separate `npm run worker`
 * processes run the jobs against the same store.
 */

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm run worker` as a child process, sharing the API's store and queue. One node process
 * with tsx's loader (not the tsx CLI, which runs node as a grandchild), so a kill reaches it.
 */
function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: '0', ...storeEnv(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('scenarios on BullMQ (real Redis, worker processes)', () => {
  let redis: RedisServer;
  let s: TestServer;
  let env: Record<string, string>;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  beforeEach(async () => {
    env = { REDIS_URL: redis.url, SCENARIO_QUEUE: `test-${randomUUID()}`, SCENARIO_LOCK_MS: '2000', SCENARIO_BACKOFF_MS: '100', SCENARIO_MAX_SAMPLES: '100000000' };
    s = await startTestServer({ env });
    env.DATA_DIR = s.app.services.config.dataDir;
    await seedScenarioTwin(s);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopWorker));
    await s.stop();
  });

  it('runs each kind end to end through a worker process', async () => {
    workers.push(startWorker(env));
    const inputs = [
      { kind: 'IMPACT', failed: ['ups-a', 'ups-b'] },
      { kind: 'RELIABILITY', samples: 20000, seed: 3 },
      { kind: 'LOAD', failed: ['ups-a'] },
    ];
    const submitted = await Promise.all(inputs.map((input) => s.gql(RUN_SCENARIO, { input })));
    const runs = await Promise.all(submitted.map((r) => waitForRun(s, r.data.runScenario.id, undefined, 60_000)));
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const [impact, reliability, load] = await Promise.all(runs.map((r) => runResults(s, r.id)));
    expect(impact.svc.state).toBe('DOWN');
    expect(reliability.feed.availability).toBeCloseTo(0.999, 2);
    expect(load['ups-b'].loadKw).toBeCloseTo(6);
  });

  it('validates against state history in a worker process: observed demand with fidelity, CALIBRATE, and a replay', async () => {
    workers.push(startWorker(env));
    const HOUR = 3_600_000;
    const t0 = Date.now();
    const at = (ms: number) => new Date(ms).toISOString();
    // Servers draw 3 kW each (the model says 2); ups-a carries 4.5, ups-b 4.5; ups-a was DOWN for 30 of the last 120 minutes.
    const reports = [
      ...[1, 2, 3].map((n) => ({ assetId: `srv-${n}`, observedAt: at(t0 - 60_000), values: { powerKw: 3 } })),
      { assetId: 'ups-a', observedAt: at(t0 - 60_000), values: { loadKw: 4.5 } },
      { assetId: 'ups-b', observedAt: at(t0 - 60_000), values: { loadKw: 4.5 } },
      { assetId: 'ups-a', observedAt: at(t0 - 3 * HOUR), values: { status: 'UP' } },
      { assetId: 'ups-a', observedAt: at(t0 - 1.5 * HOUR), values: { status: 'DOWN' } },
      { assetId: 'ups-a', observedAt: at(t0 - HOUR), values: { status: 'UP' } },
    ];
    const reported = await s.gql(`mutation($r: [StateReport!]!) { reportState(input: $r) { accepted } }`, { r: reports });
    expect(reported.data.reportState.accepted).toBe(reports.length);
    const before = at(Date.now());
    await new Promise((r) => setTimeout(r, 5));
    await s.gql(`mutation { deleteAssets(ids: ["srv-3"]) }`);

    const inputs = [
      { kind: 'LOAD', demand: 'OBSERVED' },
      { kind: 'CALIBRATE', roots: ['ups-a'], maxDepth: 0, from: at(t0 - 2 * HOUR), to: at(t0) },
      { kind: 'LOAD', demand: 'OBSERVED', asOf: before },
    ];
    const submitted = await Promise.all(inputs.map((input) => s.gql(RUN_SCENARIO, { input })));
    const runs = await Promise.all(submitted.map((r) => waitForRun(s, r.data.runScenario.id, undefined, 60_000)));
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const [load, calibration, replay] = await Promise.all(runs.map((r) => runResults(s, r.id)));
    // Now two servers (6 kW, split over the UPS pair): 3 kW each against 4.5 observed. At `before`, three: 4.5 each.
    expect(load['ups-a'].loadKw).toBeCloseTo(3, 9);
    expect(runs[0].summary.fidelity).toMatchObject({ compared: 2, maxAbsErrorKw: expect.closeTo(1.5, 9) });
    expect(replay['ups-a'].loadKw).toBeCloseTo(4.5, 9);
    expect(runs[2].summary.fidelity.maxAbsErrorKw).toBeCloseTo(0, 9);
    expect(calibration['ups-a']).toMatchObject({ availability: expect.closeTo(0.75, 9), failures: 1 });
  });

  it('streams run progress from a worker process to a subscriber of the API, through Redis', async () => {
    workers.push(startWorker(env));
    const run = (await s.gql(RUN_SCENARIO, { input: { kind: 'RELIABILITY', samples: 20000000, seed: 9 } })).data.runScenario;
    const seen = await runUpdatesUntilSucceeded(s, run.id);
    expect(seen.some((u) => u.status === 'RUNNING' && u.progress > 0 && u.progress < 1)).toBe(true);
    expect(seen.at(-1)).toEqual({ status: 'SUCCEEDED', progress: 1 });
    const progress = seen.map((u) => u.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('a worker killed mid-job: another worker retries it and the run succeeds without duplicated results', async () => {
    const first = startWorker(env);
    workers.push(first);
    const run = (await s.gql(RUN_SCENARIO, { input: { kind: 'RELIABILITY', samples: 60000000, seed: 5 } })).data.runScenario;
    await waitForRun(s, run.id, (r) => r.status === 'RUNNING' && r.progress > 0, 60_000);
    first.kill('SIGKILL');
    workers.push(startWorker(env));
    const done = await waitForRun(s, run.id, undefined, 120_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const count = await s.gql(`query($id: ID!) { scenarioRun(id: $id) { results(first: 1) { totalCount } } }`, { id: run.id });
    expect(count.data.scenarioRun.results.totalCount).toBe(8);
  });

  it('answers UNAVAILABLE when Redis is down at submission, leaving no QUEUED run behind', async () => {
    const down = await startRedisServer();
    const api = await startTestServer({ env: { ...env, REDIS_URL: down.url } });
    try {
      await seedScenarioTwin(api);
      await down.stop();
      const res = await api.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a'] } });
      expect(res.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
      expect(res.errors?.[0].message).toMatch(/REDIS_URL/);
      const runs = await api.gql(`{ scenarioRuns { nodes { id status } } }`);
      expect(runs.data.scenarioRuns.nodes).toEqual([]);
    } finally {
      await api.stop().catch(() => undefined);
    }
  });

  it('a store failing during the job: retried, then FAILED with the reason', async () => {
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    const model = indexModel(loadTwinModel());
    const store = openTestStore(env.DATA_DIR, model);
    await store.init();
    const failing: GraphStore = new Proxy(store, {
      get: (target, prop, receiver) => (prop === 'writeResults' ? () => Promise.reject(new Error('disk I/O error')) : Reflect.get(target, prop, receiver)),
    });
    const worker = createScenarioWorker(
      { redisUrl: redis.url, queueName: config.scenarios.queueName, retry: { attempts: 2, backoffMs: 100 }, concurrency: 1, lockDurationMs: 2000 },
      { store: failing, model, pubsub: new InProcessPubSub(), logger: createLogger('silent') },
    );
    try {
      const run = (await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a'] } })).data.runScenario;
      const done = await waitForRun(s, run.id, undefined, 30_000);
      expect(done).toMatchObject({ status: 'FAILED', attempts: 2, error: 'disk I/O error' });
    } finally {
      await worker.close();
      await store.close();
    }
  });
});
