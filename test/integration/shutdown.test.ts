import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { startRedisServer } from '../support/redis-server';
import { RUN_SCENARIO, seedScenarioTwin } from '../support/scenario-helpers';
import { cleanUpApiProcesses, gql, startApi } from '../support/api-process';

/**
 * Graceful shutdown of the real API process (`npm start`'s entry point as a child process):
 * SIGTERM makes readiness fail at once, lets in-flight HTTP requests finish, closes WebSockets
 * with 1001 and exits 0; a scenario job outlasting SHUTDOWN_TIMEOUT_MS is left to the next start;
 * a second SIGTERM, or closing that hangs, forces exit 1.
 */

afterAll(cleanUpApiProcesses);

async function waitForRunStatus(url: string, id: string, statuses: string[], timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { scenarioRun } = await gql(url, 'query($id: ID!) { scenarioRun(id: $id) { id status progress } }', { id });
    if (statuses.includes(scenarioRun.status)) return scenarioRun;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${scenarioRun.status}, not ${statuses.join('/')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A POST /graphql whose body is sent in two parts: the request is in flight (headers received,
 * body incomplete) until `finish()` sends the rest.
 */
function slowRequest(url: string, query: string): { finish(): void; response: Promise<{ status: number; body: any }> } {
  const body = Buffer.from(JSON.stringify({ query }));
  const split = Math.floor(body.length / 2);
  const req = http.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    agent: false,
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk.toString()));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      res.once('error', reject);
    });
  });
  req.flushHeaders();
  req.write(body.subarray(0, split));
  return { finish: () => req.end(body.subarray(split)), response };
}

/** A graphql-transport-ws connection with one live subscription; resolves once the server acknowledged it. */
async function subscribe(url: string): Promise<{ socket: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { topologyChanged { change } }' } }));
        resolve();
      }
    });
  });
  return { socket, closed };
}

/** Scrape /metrics until the subscription is running on the server. */
async function waitForSubscriptions(url: string, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const text = await (await fetch(`${new URL(url).origin}/metrics`)).text();
    if (new RegExp(`^twin_subscriptions_active ${n}$`, 'm').test(text)) return;
    if (Date.now() > deadline) throw new Error(`twin_subscriptions_active did not reach ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A TCP proxy to Redis that can stop forwarding, as if Redis hung. */
async function freezableProxy(targetPort: number): Promise<{ port: number; freeze(): void; close(): void }> {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    if (frozen) return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      frozen = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** /readyz's status, or `refused` when nothing accepts the connection any more. */
async function readiness(url: string): Promise<number | 'refused'> {
  try {
    return (await fetch(`${new URL(url).origin}/readyz`)).status;
  } catch {
    return 'refused';
  }
}

describe('graceful shutdown of the API process', () => {
  it('on SIGTERM: not ready at once, in-flight requests finish, WebSockets close with 1001, exit 0', async () => {
    const api = await startApi();
    expect(await readiness(api.url)).toBe(200);
    const ws = await subscribe(api.url);
    await waitForSubscriptions(api.url, 1);
    const slow = slowRequest(api.url, '{ model { name } }');
    // Let the server receive the request's headers, so it is in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));

    api.child.kill('SIGTERM');
    const line = await api.waitForLog((l) => l.msg === 'shutting down');
    expect(line.signal).toBe('SIGTERM');
    expect(await readiness(api.url)).not.toBe(200);

    const { code, reason } = await ws.closed;
    expect(code).toBe(1001);
    expect(reason).toBe('Going away');

    // The process waits for the request in flight, which then gets its full answer.
    expect(api.child.exitCode).toBeNull();
    slow.finish();
    const res = await slow.response;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { model: { name: 'datacenter' } } });

    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.stdout()).toContain('"msg":"shutdown complete"');
  });

  it('a second SIGTERM forces exit 1 with a log line', async () => {
    const api = await startApi();
    const slow = slowRequest(api.url, '{ model { name } }');
    slow.response.catch(() => undefined); // its connection is cut
    await new Promise((resolve) => setTimeout(resolve, 300));
    api.child.kill('SIGTERM');
    await api.waitForLog((l) => l.msg === 'shutting down');
    api.child.kill('SIGTERM');
    const forced = await api.waitForLog((l) => l.msg === 'second signal during shutdown: forcing exit');
    expect(forced.level).toBe(50);
    expect(await api.exited).toEqual({ code: 1, signal: null });
  });

  it('hands a scenario job still running at SHUTDOWN_TIMEOUT_MS back, exits 0, and runs it at the next start', async () => {
    const env = { SHUTDOWN_TIMEOUT_MS: '500', SCENARIO_MAX_SAMPLES: '100000000' };
    const api = await startApi(env);
    await seedScenarioTwin({ gql: (query: string, variables?: Record<string, unknown>) => gql(api.url, query, variables).then((data) => ({ data })) } as never);
    // About six seconds of Monte Carlo on this machine: far longer than the timeout.
    const { runScenario } = await gql(api.url, RUN_SCENARIO, { input: { kind: 'RELIABILITY', samples: 60_000_000, seed: 7 } });
    await waitForRunStatus(api.url, runScenario.id, ['RUNNING'], 10_000);

    api.child.kill('SIGTERM');
    const left = await api.waitForLog((l) => l.msg?.startsWith('scenario jobs still running at the shutdown timeout'));
    expect(left.runIds).toEqual([runScenario.id]);
    expect(await api.exited).toEqual({ code: 0, signal: null });

    const again = await startApi({ ...env, SHUTDOWN_TIMEOUT_MS: '10000' }, api);
    const resumed = await again.waitForLog((l) => l.msg === 'resumed scenario runs interrupted by the previous shutdown');
    expect(resumed.runIds).toEqual([runScenario.id]);
    expect((await waitForRunStatus(again.url, runScenario.id, ['SUCCEEDED', 'FAILED'], 30_000)).status).toBe('SUCCEEDED');
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('forces exit 1 when closing outlasts SHUTDOWN_TIMEOUT_MS and its close grace (Redis frozen)', async () => {
    const redis = await startRedisServer();
    const proxy = await freezableProxy(redis.port);
    try {
      const api = await startApi({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, SCENARIO_QUEUE: `shutdown-${Date.now()}`, SHUTDOWN_TIMEOUT_MS: '300' });
      expect(await readiness(api.url)).toBe(200);
      // Redis stops answering: closing the queue and pub/sub connections hangs ...
      proxy.freeze();
      api.child.kill('SIGTERM');
      await api.waitForLog((l) => l.msg === 'shutting down');
      // ... until SHUTDOWN_TIMEOUT_MS plus the 5 s close grace are over.
      const forced = await api.waitForLog((l) => l.msg === 'shutdown did not finish in time: forcing exit', 15_000);
      expect(forced.afterMs).toBe(5300);
      expect(await api.exited).toEqual({ code: 1, signal: null });
    } finally {
      proxy.close();
      await redis.stop();
    }
  }, 30_000);
});
