import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { GraphStore } from '../../src/graph/graph-store';
import { createLogger } from '../../src/logger';
import { hasSample, parsePrometheusText, sampleValue, type Sample } from '../support/prometheus-text';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { RUN_SCENARIO, seedScenarioTwin, waitForRun } from '../support/scenario-helpers';
import { startTestServer, type TestServer } from '../support/test-server';
import { storeEnv, wipeStore } from '../support/stores/test-store';

/** Health endpoints, Prometheus metrics, request ids and logs of the real server over HTTP and WebSocket. */

const origin = (s: { url: string }) => new URL(s.url).origin;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function scrape(s: { url: string }): Promise<Sample[]> {
  const res = await fetch(`${origin(s)}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheusText(await res.text());
}

/** Scrape until `done(samples)` holds; fails after `timeoutMs` with the last scrape's reason. */
async function scrapeUntil(s: { url: string }, done: (samples: Sample[]) => boolean, timeoutMs = 5000): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrape(s);
    if (done(samples)) return samples;
    if (Date.now() > deadline) throw new Error('metrics did not reach the expected values in time');
    await sleep(50);
  }
}

async function readyz(s: { url: string }): Promise<{ status: number; body: any }> {
  const res = await fetch(`${origin(s)}/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('health endpoints', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('GET /livez answers 200 while the process runs', async () => {
    const res = await fetch(`${origin(s)}/livez`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'live' });
  });

  it('GET /readyz answers 200 with the store check when the store answers', async () => {
    expect(await readyz(s)).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'ok', history: 'ok' } } });
  });

  it('GET /readyz answers 503 naming the store when the store fails', async () => {
    let failing = false;
    const f = await startTestServer({
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (prop === 'existingIds' && typeof value === 'function') {
              return (...args: unknown[]) => (failing ? Promise.reject(new Error('database is locked')) : value.apply(target, args));
            }
            return value;
          },
        }) as GraphStore,
    });
    try {
      expect((await readyz(f)).status).toBe(200);
      failing = true;
      const { status, body } = await readyz(f);
      expect(status).toBe(503);
      expect(body).toEqual({ status: 'unavailable', checks: { store: 'failed', history: 'ok' }, failing: ['store'] });
      // The cause is logged, not shown to whoever probes.
      expect(JSON.stringify(body)).not.toContain('locked');
      failing = false;
      expect((await readyz(f)).status).toBe(200);
    } finally {
      await f.stop();
    }
  });

  it('GET /readyz answers 503 draining once shutdown began, while /livez stays 200', async () => {
    const d = await startTestServer();
    try {
      d.app.observability.health.beginDraining();
      expect(await readyz(d)).toEqual({ status: 503, body: { status: 'draining', checks: {}, failing: ['draining'] } });
      expect((await fetch(`${origin(d)}/livez`)).status).toBe(200);
    } finally {
      await d.stop();
    }
  });
});

describe('GET /metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('shows whether the topology index answers walks, and what it holds', async () => {
    await s.gql(`mutation { upsertAssets(input: [{ id: "gauge-ups", kind: "UPS" }, { id: "gauge-pdu", kind: "PDU" }]) { id } }`);
    await s.gql(`mutation { relate(input: [{ from: "gauge-ups", type: "FEEDS", to: "gauge-pdu" }]) { type } }`);
    const res = await s.gql(`{ assets { totalCount } asset(id: "gauge-ups") { dependents { asset { id } } } }`);
    expect(res.data.asset.dependents).toEqual([{ asset: { id: 'gauge-pdu' } }]);
    const samples = await scrape(s);
    expect(sampleValue(samples, 'twin_topology_index_ready')).toBe(1);
    expect(sampleValue(samples, 'twin_topology_index_entries', { kind: 'assets' })).toBe(res.data.assets.totalCount);
    expect(sampleValue(samples, 'twin_topology_index_entries', { kind: 'relationships' })).toBeGreaterThanOrEqual(1);
  });

  it('includes the default process metrics and every twin metric', async () => {
    const samples = await scrape(s);
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'twin_subscriptions_active', 'twin_websocket_connections_active', 'twin_subscription_executions_active', 'twin_subscription_deliveries_total', 'twin_subscription_replayed_events_total', 'twin_scenario_queue_depth']) {
      expect(hasSample(samples, name)).toBe(true);
    }
    expect(sampleValue(samples, 'twin_scenario_queue_depth')).toBe(0);
    // Counters with known label values exist from the start, at 0.
    for (const outcome of ['ACCEPTED', 'DUPLICATE', 'STALE', 'REJECTED']) expect(hasSample(samples, 'twin_state_reports_total', { outcome })).toBe(true);
    expect(hasSample(samples, 'twin_scenario_runs_total', { kind: 'IMPACT', status: 'SUCCEEDED' })).toBe(true);
    expect(hasSample(samples, 'twin_scenario_runs_total', { kind: 'CALIBRATE', status: 'SUCCEEDED' })).toBe(true);
    for (const drift of ['true', 'false']) expect(hasSample(samples, 'twin_model_fidelity_checks_total', { drift })).toBe(true);
    for (const reason of ['unauthenticated', 'forbidden', 'too_many_connections', 'token_expired', 'slow_consumer']) {
      expect(hasSample(samples, 'twin_websocket_server_closes_total', { reason })).toBe(true);
    }
    const text = await (await fetch(`${origin(s)}/metrics`)).text();
    for (const name of ['twin_graphql_request_duration_seconds', 'twin_graphql_errors_total', 'twin_state_freshness_seconds', 'twin_scenario_job_duration_seconds', 'twin_model_fidelity_mape', 'twin_subscriber_queue_depth']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('times GraphQL requests by operation name and type, and counts errors by code', async () => {
    const before = await scrape(s);
    const count = (samples: Sample[], labels: Record<string, string>) => sampleValue(samples, 'twin_graphql_request_duration_seconds_count', labels);
    const errors = (samples: Sample[], code: string) => sampleValue(samples, 'twin_graphql_errors_total', { code });

    expect((await s.gql('query ObsModel { model { name } }')).errors).toBeUndefined();
    expect((await s.gql('query ObsModel { model { name } }')).errors).toBeUndefined();
    expect((await s.gql('{ model { name } }')).errors).toBeUndefined();
    const tooBig = await s.gql('query ObsTooBig { assets(first: 501) { totalCount } }');
    expect(tooBig.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const invalid = await s.gql('query ObsInvalid { noSuchField }');
    expect(invalid.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const mutation = await s.gql('mutation ObsUpsert { upsertAssets(input: [{ id: "obs-site", kind: "Site" }]) { id } }');
    expect(mutation.errors).toBeUndefined();

    const after = await scrape(s);
    expect(count(after, { operation: 'ObsModel', type: 'query' }) - count(before, { operation: 'ObsModel', type: 'query' })).toBe(2);
    expect(count(after, { operation: 'anonymous', type: 'query' }) - count(before, { operation: 'anonymous', type: 'query' })).toBe(1);
    expect(count(after, { operation: 'ObsTooBig', type: 'query' }) - count(before, { operation: 'ObsTooBig', type: 'query' })).toBe(1);
    expect(count(after, { operation: 'ObsUpsert', type: 'mutation' }) - count(before, { operation: 'ObsUpsert', type: 'mutation' })).toBe(1);
    // An invalid document never becomes an operation.
    expect(count(after, { operation: 'unknown', type: 'unknown' }) - count(before, { operation: 'unknown', type: 'unknown' })).toBe(1);
    expect(errors(after, 'BAD_USER_INPUT') - errors(before, 'BAD_USER_INPUT')).toBe(1);
    expect(errors(after, 'GRAPHQL_VALIDATION_FAILED') - errors(before, 'GRAPHQL_VALIDATION_FAILED')).toBe(1);
    const http = (samples: Sample[], status: string) => sampleValue(samples, 'twin_http_requests_total', { method: 'POST', path: '/graphql', status });
    expect(http(after, '200') - http(before, '200')).toBe(5);
    expect(http(after, '400') - http(before, '400')).toBe(1); // the invalid document
    // Histogram buckets carry the same labels.
    expect(hasSample(after, 'twin_graphql_request_duration_seconds_bucket', { operation: 'ObsModel', type: 'query', le: '+Inf' })).toBe(true);
  });

  it('counts state reports by outcome and records the freshness of accepted ones', async () => {
    await s.gql('mutation { upsertAssets(input: [{ id: "obs-ups", kind: "UPS" }]) { id } }');
    const before = await scrape(s);
    const observedAt = new Date(Date.now() - 90_000).toISOString();
    const res = await s.gql(
      `mutation($input: [StateReport!]!) { reportState(input: $input) { accepted duplicate stale rejected } }`,
      {
        input: [
          { assetId: 'obs-ups', observedAt, values: { loadKw: 12 }, eventId: 'obs-1' },
          { assetId: 'obs-ups', observedAt, values: { loadKw: 12 }, eventId: 'obs-1' },
          { assetId: 'obs-nowhere', observedAt, values: { loadKw: 1 } },
        ],
      },
    );
    expect(res.data.reportState).toEqual({ accepted: 1, duplicate: 1, stale: 0, rejected: 1 });
    const after = await scrape(s);
    const delta = (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('twin_state_reports_total', { outcome: 'ACCEPTED' })).toBe(1);
    expect(delta('twin_state_reports_total', { outcome: 'DUPLICATE' })).toBe(1);
    expect(delta('twin_state_reports_total', { outcome: 'REJECTED' })).toBe(1);
    expect(delta('twin_state_reports_total', { outcome: 'STALE' })).toBe(0);
    expect(delta('twin_state_freshness_seconds_count')).toBe(1);
    // 90 s old: above the 60 s bucket, within the 120 s one.
    expect(delta('twin_state_freshness_seconds_bucket', { le: '60' })).toBe(0);
    expect(delta('twin_state_freshness_seconds_bucket', { le: '120' })).toBe(1);
    expect(delta('twin_state_freshness_seconds_sum')).toBeGreaterThanOrEqual(90);
  });

  it('records scenario job durations and runs by kind and final status', async () => {
    await seedScenarioTwin(s);
    const before = await scrape(s);
    const ok = await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a'] } });
    expect(ok.errors).toBeUndefined();
    expect((await waitForRun(s, ok.data.runScenario.id)).status).toBe('SUCCEEDED');
    const runs = (samples: Sample[], status: string) => sampleValue(samples, 'twin_scenario_runs_total', { kind: 'IMPACT', status });
    // The run is SUCCEEDED in the store a moment before the job ends.
    const after = await scrapeUntil(s, (samples) => runs(samples, 'SUCCEEDED') - runs(before, 'SUCCEEDED') === 1);
    expect(runs(after, 'FAILED') - runs(before, 'FAILED')).toBe(0);
    const jobs = (samples: Sample[]) => sampleValue(samples, 'twin_scenario_job_duration_seconds_count', { kind: 'IMPACT', status: 'SUCCEEDED' });
    expect(jobs(after) - jobs(before)).toBe(1);
    expect(sampleValue(after, 'twin_scenario_queue_depth')).toBe(0);
  });

  it('keeps twin_subscriptions_active and twin_websocket_connections_active while subscriptions run', async () => {
    const base = await scrape(s);
    const subs = (samples: Sample[]) => sampleValue(samples, 'twin_subscriptions_active');
    const conns = (samples: Sample[]) => sampleValue(samples, 'twin_websocket_connections_active');
    const client: Client = createClient({ url: s.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    const sink = { next: () => undefined, error: () => undefined, complete: () => undefined };
    try {
      const first = client.subscribe({ query: 'subscription { topologyChanged { change } }' }, sink);
      client.subscribe({ query: 'subscription { assetStateChanged(kinds: ["UPS"]) { assetId } }' }, sink);
      await scrapeUntil(s, (samples) => subs(samples) === subs(base) + 2 && conns(samples) === conns(base) + 1);
      // A query over the same connection is not a subscription; it is timed like one over HTTP.
      await new Promise<void>((resolve, reject) => client.subscribe({ query: 'query ObsWsModel { model { name } }' }, { next: () => undefined, error: reject, complete: resolve }));
      const afterQuery = await scrape(s);
      expect(subs(afterQuery)).toBe(subs(base) + 2);
      const timed = (samples: Sample[], operation: string, type: string) => sampleValue(samples, 'twin_graphql_request_duration_seconds_count', { operation, type });
      expect(timed(afterQuery, 'ObsWsModel', 'query') - timed(base, 'ObsWsModel', 'query')).toBe(1);
      expect(timed(afterQuery, 'anonymous', 'subscription') - timed(base, 'anonymous', 'subscription')).toBe(0);
      first();
      await scrapeUntil(s, (samples) => subs(samples) === subs(base) + 1);
    } finally {
      await client.dispose();
    }
    await scrapeUntil(s, (samples) => subs(samples) === subs(base) && conns(samples) === conns(base));
  });
});

describe('request ids', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.stop();
  });

  const post = (headers: Record<string, string> = {}) =>
    fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });

  it('echoes an incoming x-request-id', async () => {
    const res = await post({ 'x-request-id': 'obs-req-42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('obs-req-42');
  });

  it('generates one when there is none, or when it is not a plausible id', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const one = (await post()).headers.get('x-request-id');
    const two = (await post()).headers.get('x-request-id');
    expect(one).toMatch(uuid);
    expect(two).toMatch(uuid);
    expect(one).not.toBe(two);
    expect((await post({ 'x-request-id': 'has spaces "and quotes"' })).headers.get('x-request-id')).toMatch(uuid);
    expect((await post({ 'x-request-id': 'x'.repeat(500) })).headers.get('x-request-id')).toMatch(uuid);
  });

  it('answers health endpoints with a request id too', async () => {
    const res = await fetch(`${origin(s)}/livez`, { headers: { 'x-request-id': 'probe-1' } });
    expect(res.headers.get('x-request-id')).toBe('probe-1');
  });
});

describe('logs', () => {
  let app: App;
  let url: string;
  let dir: string;
  const lines: any[] = [];
  let failCount = false;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'twin-obs-logs-'));
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    await wipeStore();
    const config = loadConfig({ PORT: '0', DATA_DIR: dir, SEED_DEMO: '0', LOG_LEVEL: 'info', ...storeEnv() });
    app = await createApp(config, {
      logger: createLogger('info', sink),
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (prop === 'countAssets' && typeof value === 'function') {
              return (...args: unknown[]) => (failCount ? Promise.reject(new Error('disk on fire')) : value.apply(target, args));
            }
            return value;
          },
        }) as GraphStore,
    });
    url = await app.listen();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const waitForLine = async (match: (line: any) => boolean) => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const line = lines.find(match);
      if (line) return line;
      if (Date.now() > deadline) throw new Error('no such log line');
      await sleep(20);
    }
  };

  it('writes one JSON access log line per request with its request id, credentials redacted', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'log-req-1',
        authorization: 'Bearer very-secret-token-1',
        cookie: 'session=very-secret-cookie-1',
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await res.text();
    const line = await waitForLine((l) => l.reqId === 'log-req-1' && l.msg === 'request completed');
    expect(line.req).toMatchObject({ method: 'POST', url: '/graphql' });
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.req.headers.cookie).toBe('[redacted]');
    expect(line.res.statusCode).toBe(res.status);
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/very-secret/);
  });

  it('puts the request id on lines written while the request is handled', async () => {
    failCount = true;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'log-req-2' },
        body: JSON.stringify({ query: '{ assets { totalCount } }' }),
      });
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(body)).not.toContain('disk on fire');
    } finally {
      failCount = false;
    }
    const line = await waitForLine((l) => l.msg === 'unexpected error while resolving' && l.reqId === 'log-req-2');
    expect(line.err.message).toBe('disk on fire');
  });

  it('does not access-log probes and scrapes', async () => {
    await (await fetch(`${new URL(url).origin}/livez`, { headers: { 'x-request-id': 'log-probe' } })).text();
    await (await fetch(`${new URL(url).origin}/metrics`, { headers: { 'x-request-id': 'log-probe' } })).text();
    await sleep(100);
    expect(lines.filter((l) => l.reqId === 'log-probe')).toEqual([]);
  });

  it('redacts secrets logged by name', () => {
    const captured: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (captured.push(chunk.toString()), done()) }));
    logger.info({ password: 'pw-1', config: { neo4j: { password: 'pw-2' } }, NEO4J_PASSWORD: 'pw-3', token: 'tok-1', auth: { token: 'tok-2' } }, 'secrets');
    const line = JSON.parse(captured.join(''));
    expect(JSON.stringify(line)).not.toMatch(/pw-\d|tok-\d/);
    expect(line.password).toBe('[redacted]');
    expect(line.config.neo4j.password).toBe('[redacted]');
  });
});

describe('readiness with Redis (real redis-server)', () => {
  let redis: RedisServer;
  let s: TestServer;
  beforeAll(async () => {
    redis = await startRedisServer();
    s = await startTestServer({ env: { REDIS_URL: redis.url, SCENARIO_QUEUE: `obs-${Date.now()}` } });
  });
  afterAll(async () => {
    await s?.stop();
    await redis?.stop();
  });

  it('checks the store, Redis and the queue; answers 503 naming them when Redis is down', async () => {
    expect(await readyz(s)).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'ok', history: 'ok', redis: 'ok', queue: 'ok' } } });
    expect(sampleValue(await scrape(s), 'twin_scenario_queue_depth')).toBe(0);

    await redis.stop();
    const deadline = Date.now() + 10_000;
    let last = await readyz(s);
    while (last.status !== 503 && Date.now() < deadline) {
      await sleep(100);
      last = await readyz(s);
    }
    expect(last.status).toBe(503);
    expect(last.body.status).toBe('unavailable');
    expect(last.body.checks.store).toBe('ok');
    expect(last.body.checks.redis).not.toBe('ok');
    expect(last.body.checks.queue).not.toBe('ok');
    expect(last.body.failing).toEqual(expect.arrayContaining(['redis', 'queue']));
    expect(last.body.failing).not.toContain('store');
    // Liveness does not depend on Redis; the queue depth is unknown.
    expect((await fetch(`${origin(s)}/livez`)).status).toBe(200);
    expect(Number.isNaN(sampleValue(await scrape(s), 'twin_scenario_queue_depth'))).toBe(true);
  });
});

describe('npm run worker with METRICS_PORT (real redis-server, worker process)', () => {
  let redis: RedisServer;
  let s: TestServer;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await s?.stop();
    await redis?.stop();
  });

  it('serves /livez, /readyz and /metrics with the job metrics, and drains on SIGTERM', async () => {
    const env = { REDIS_URL: redis.url, SCENARIO_QUEUE: `obs-worker-${Date.now()}` };
    s = await startTestServer({ env });
    await seedScenarioTwin(s);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, ...storeEnv(), ...env, DATA_DIR: s.app.services.config.dataDir, METRICS_PORT: '0', LOG_LEVEL: 'info', SEED_DEMO: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker = child;
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const logLine = async (msg: string) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const line = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === msg);
        if (line) return line;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${msg}" in the worker's output:\n${out}`);
        await sleep(50);
      }
    };
    const { url } = await logLine('worker metrics and health endpoints listening');
    await logLine('scenario worker ready');

    expect((await fetch(`${url}/livez`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', history: 'ok', redis: 'ok', worker: 'ok' } });

    const submitted = await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a'] } });
    const runId = submitted.data.runScenario.id;
    expect((await waitForRun(s, runId, undefined, 30_000)).status).toBe('SUCCEEDED');
    const samples = await scrapeUntil({ url }, (all) => sampleValue(all, 'twin_scenario_runs_total', { kind: 'IMPACT', status: 'SUCCEEDED' }) === 1);
    expect(sampleValue(samples, 'twin_scenario_job_duration_seconds_count', { kind: 'IMPACT', status: 'SUCCEEDED' })).toBe(1);
    expect(hasSample(samples, 'process_resident_memory_bytes')).toBe(true);
    // Worker logs carry the job id (= run id).
    const started = await logLine('scenario job started');
    expect(started).toMatchObject({ jobId: runId, runId });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"worker shutting down: finishing running jobs"');
    expect(out).toContain('"msg":"shutdown complete"');
  }, 60_000);
});
