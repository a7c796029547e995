import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startRedisServer, type RedisServer } from '../../../test/support/redis-server';
import type { BenchContext } from '../context';
import { graphql, HttpClient } from '../http-client';
import { startBenchServer, type BenchServer } from '../processes';
import { percentile, round, sleep } from '../stats';
import { REPORT_STATE } from './ingest';

/**
 * Live bench: reports at a steady rate into API instance A (reportState batches every
 * `batchMs`), `subscribers` graphql-ws clients on instance B (assetStateChanged), both instances
 * on the same store and the same Redis. observedAt is the send time, so observed-to-delivered
 * latency is client receipt minus observedAt (one clock, loopback). Open loop: a batch is sent on
 * every tick whatever the previous ones are doing, up to MAX_IN_FLIGHT requests; ticks beyond
 * that are counted as skipped rather than queued.
 *
 * Modes: fanout (every subscriber gets every event), partition (subscriber j watches slice
 * j mod `slices` of the assets; subscribers of one slice share an execution on B), reconnect
 * (fanout, and half of the subscribers go away for `awaySeconds` mid-window, then resume with
 * `after:` their last cursor: every subscriber must get every event of the window exactly once).
 */

const MAX_IN_FLIGHT = 8;
const WARMUP_MS = 2000;
const DRAIN_MS = 5000;
const SUB_FIELDS = 'assetId kind observedAt version changed cursor';
const SUBSCRIPTION = `subscription($ids: [ID!], $kinds: [String!], $after: String) { assetStateChanged(ids: $ids, kinds: $kinds, after: $after) { ${SUB_FIELDS} } }`;
/** When the reconnecting half leaves, after the window starts. */
const LEAVE_AFTER_MS = 1000;

/**
 * Receipt time on the same clock as observedAt (Date.now(), whole ms). Not timeOrigin +
 * performance.now(): that drifts from the wall clock when the system clock is stepped while the
 * process runs, which showed up here as a constant ~1 s "latency".
 */
const now = () => Date.now();

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function runLivePart(ctx: BenchContext): Promise<void> {
  const { options, report, facts } = ctx;
  const { rate, subscribers, mode, batchMs, awaySeconds } = options.live;
  const seconds = mode === 'reconnect' ? Math.max(options.live.seconds, awaySeconds + 5) : options.live.seconds;
  const sliceCount = mode === 'partition' ? Math.min(subscribers, options.live.slices || subscribers) : 1;
  let redis: RedisServer | null = null;
  let redisUrl = process.env.REDIS_URL;
  let redisNote = 'REDIS_URL';
  if (!redisUrl) {
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      report.notes.push('live: skipped, REDIS_URL is unset and redis-server is not installed');
      process.stderr.write('live: skipped (no REDIS_URL and no redis-server)\n');
      return;
    }
    redis = await startRedisServer();
    redisUrl = redis.url;
    redisNote = `redis-server ${probe.stdout.match(/v=(\S+)/)?.[1] ?? ''} started by the bench`;
  }
  const instances: BenchServer[] = [];
  const clients: Client[] = [];
  const http = new HttpClient(MAX_IN_FLIGHT + 2);
  try {
    process.stderr.write(`live: instances A and B on ${redisUrl}, ${rate} reports/s, ${subscribers} subscribers (${mode}), ${seconds} s\n`);
    // BullMQ queues need their own name so two instances on one Redis do not mix with a user's.
    // Every subscriber connects from this process, one principal (anonymous at one address) to the
    // servers: room for all of them under WS_MAX_CONNECTIONS_PER_PRINCIPAL.
    const maxConnections = String(Math.max(100, options.live.subscribers + 10));
    const env = { ...ctx.serverEnv, REDIS_URL: redisUrl, SCENARIO_QUEUE: `bench-live-${process.pid}`, WS_MAX_CONNECTIONS_PER_PRINCIPAL: maxConnections };
    instances.push(await startBenchServer({ env, label: 'live A', nodeFlags: ctx.nodeFlags('live-A') }));
    instances.push(await startBenchServer({ env, label: 'live B', nodeFlags: ctx.nodeFlags('live-B') }));
    const [a, b] = instances;

    // Reported assets: the servers, in turn; subscribers watch all of them (fanout) or a slice each (partition).
    const targets = facts.servers;
    const slices = Array.from({ length: sliceCount }, (_, k) => targets.filter((_, i) => i % sliceCount === k));
    const latencies: number[] = [];
    let delivered = 0;
    let lateOrWarmup = 0;
    let measureFrom = Infinity;
    let measureTo = Infinity;
    let closedAbnormally = 0;
    const wsUrl = b.url.replace(/^http/, 'ws');
    /** Per subscriber: the last cursor, events of the window received, cursors seen twice; for the reconnecting ones, when they resumed and caught up. */
    const subs = Array.from({ length: subscribers }, () => ({ client: null as Client | null, last: null as string | null, inWindow: 0, seen: new Set<string>(), duplicates: 0, resumedAt: 0, caughtUpMs: -1, replayed: 0 }));
    const track = mode === 'reconnect';
    const open = (j: number, after: string | null): Promise<void> => {
      const sub = subs[j];
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, on: { closed: (e) => void (sub.client === client && (e as { code?: number }).code !== 1000 && (e as { code?: number }).code !== 1001 && closedAbnormally++) } });
      sub.client = client;
      clients.push(client);
      const variables = mode === 'partition' ? { ids: slices[j % sliceCount], after } : { kinds: ['Server'], after };
      const ready = new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.on('error', reject);
      });
      client.subscribe(
        { query: SUBSCRIPTION, variables },
        {
          next: (result) => {
            const receivedAt = now();
            const event = (result.data as { assetStateChanged?: { observedAt: string; cursor: string } } | undefined)?.assetStateChanged;
            if (!event) return;
            sub.last = event.cursor;
            if (track) {
              if (sub.seen.has(event.cursor)) sub.duplicates++;
              else sub.seen.add(event.cursor);
            }
            const observed = Date.parse(event.observedAt);
            const catchingUp = sub.resumedAt > 0 && sub.caughtUpMs < 0;
            if (catchingUp) {
              if (observed >= sub.resumedAt) sub.caughtUpMs = receivedAt - sub.resumedAt;
              else sub.replayed++;
            }
            if (observed >= measureFrom && observed < measureTo) {
              if (!catchingUp) latencies.push(receivedAt - observed);
              sub.inWindow++;
              delivered++;
            } else lateOrWarmup++;
          },
          error: (err) => process.stderr.write(`  live subscriber ${j}: ${JSON.stringify(err).slice(0, 200)}\n`),
          complete: () => undefined,
        },
      );
      return ready;
    };
    await Promise.all(subs.map((_, j) => open(j, null)));
    // Subscriptions are set up asynchronously after connect: give them a moment, then warm up.
    await sleep(500);

    let next = 0;
    let inFlight = 0;
    let skipped = 0;
    let measuring = false;
    const window = { sent: 0, accepted: 0, values: 0, requests: 0, errors: 0 };
    const requestMs: number[] = [];
    const perTick = Math.max(1, Math.round((rate * batchMs) / 1000));
    const send = async () => {
      if (inFlight >= MAX_IN_FLIGHT) {
        if (measuring) skipped++;
        return;
      }
      const observedAt = new Date().toISOString();
      const input = Array.from({ length: perTick }, () => ({ assetId: targets[next++ % targets.length], observedAt, values: { cpuPct: Math.round(Math.random() * 10000) / 100 } }));
      const counted = measuring;
      inFlight++;
      try {
        const reply = await graphql<{ reportState: { accepted: number } }>(http, a.url, REPORT_STATE, { input });
        if (counted) {
          window.sent += input.length;
          window.accepted += reply.data.reportState.accepted;
          window.values += reply.data.reportState.accepted;
          window.requests++;
          requestMs.push(reply.ms);
        }
      } catch (err) {
        if (counted) window.errors++;
        process.stderr.write(`  live report failed: ${(err as Error).message.slice(0, 200)}\n`);
      } finally {
        inFlight--;
      }
    };

    // Steady ticks; setInterval drifts little over a few seconds and a late tick is still one batch.
    const pending = new Set<Promise<void>>();
    const ticker = setInterval(() => {
      const p = send();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }, batchMs);
    await sleep(WARMUP_MS);
    // Observation times are whole milliseconds: start the window on the next one.
    measureFrom = Math.ceil(Date.now() + 1);
    while (Date.now() < measureFrom) await sleep(1);
    measuring = true;
    const windowStart = performance.now();
    const cpuStart = { bench: process.cpuUsage(), a: cpuSeconds(a.pid), b: cpuSeconds(b.pid) };
    const away = mode === 'reconnect' ? subs.slice(0, Math.max(1, Math.floor(subscribers / 2))) : [];
    if (away.length > 0) {
      await sleep(LEAVE_AFTER_MS);
      await Promise.all(away.map((sub) => sub.client!.dispose()));
      process.stderr.write(`  live: ${away.length} subscribers away for ${awaySeconds} s\n`);
      await sleep(awaySeconds * 1000);
      await Promise.all(
        away.map((sub) => {
          sub.resumedAt = now();
          return open(subs.indexOf(sub), sub.last);
        }),
      );
      await sleep(Math.max(0, seconds * 1000 - (performance.now() - windowStart)));
    } else await sleep(seconds * 1000);
    const cpuEnd = { bench: process.cpuUsage(cpuStart.bench), a: cpuSeconds(a.pid), b: cpuSeconds(b.pid) };
    measuring = false;
    measureTo = Date.now();
    const windowSeconds = (performance.now() - windowStart) / 1000;
    clearInterval(ticker);
    await Promise.all([...pending]);

    const expected = window.accepted * (mode === 'partition' ? subscribers / sliceCount : subscribers);
    const drainStart = performance.now();
    while (delivered < expected && performance.now() - drainStart < DRAIN_MS) await sleep(50);
    const sorted = [...latencies].sort((x, y) => x - y);
    const share = (start: number | null, end: number | null) => (start === null || end === null ? null : Math.round(((end - start) / windowSeconds) * 100));
    const cpu = {
      'bench (clients + reporter)': Math.round(((cpuEnd.bench.user + cpuEnd.bench.system) / 1e6 / windowSeconds) * 100),
      'instance A': share(cpuStart.a, cpuEnd.a),
      'instance B': share(cpuStart.b, cpuEnd.b),
    };
    const reconnect =
      away.length === 0
        ? null
        : {
            away: away.length,
            'missed events': subs.reduce((n, sub) => n + Math.max(0, window.accepted - sub.inWindow), 0),
            duplicates: subs.reduce((n, sub) => n + sub.duplicates, 0),
            'replayed events': away.reduce((n, sub) => n + sub.replayed, 0),
            'resume ms (max)': away.some((sub) => sub.caughtUpMs < 0) ? 'never' : Math.max(...away.map((sub) => sub.caughtUpMs)),
          };
    const row = {
      'target reports/s': rate,
      subscribers,
      mode: mode === 'partition' ? `partition/${sliceCount}` : mode,
      ...reconnect,
      'window s': round(windowSeconds, 1),
      'accepted values/s': round(window.accepted / windowSeconds, 0),
      'skipped ticks': skipped,
      'report p95 ms': round(percentile([...requestMs].sort((x, y) => x - y), 95), 1),
      'deliveries/s': round(delivered / windowSeconds, 0),
      'delivered/expected': `${delivered}/${expected}`,
      'latency p50 ms': round(percentile(sorted, 50), 1),
      'latency p95 ms': round(percentile(sorted, 95), 1),
      'latency p99 ms': round(percentile(sorted, 99), 1),
      'latency max ms': round(sorted[sorted.length - 1] ?? NaN, 1),
      'CPU % bench/A/B': `${cpu['bench (clients + reporter)']}/${cpu['instance A'] ?? '?'}/${cpu['instance B'] ?? '?'}`,
    };
    report.addSection('live', `Live: reportState into A → Redis (${redisNote}) → assetStateChanged on B`, [row], {
      ...row,
      perTick,
      batchMs,
      reportsPerRequest: perTick,
      requests: window.requests,
      requestErrors: window.errors,
      outsideWindow: lateOrWarmup,
      subscribersClosedAbnormally: closedAbnormally,
      cpuPercentOfOneCoreDuringWindow: cpu,
      instances: instances.map((i) => ({ backend: i.backend, pubsub: i.pubsub, queue: i.queue })),
    });
    if (window.errors) report.notes.push(`live: ${window.errors} report requests failed`);
    if (closedAbnormally) report.notes.push(`live: ${closedAbnormally} subscriber connections closed abnormally (slow consumer?)`);
    if (delivered < expected) report.notes.push(`live: ${expected - delivered} of ${expected} expected deliveries had not arrived ${DRAIN_MS / 1000} s after the last report`);
  } finally {
    for (const client of clients) await client.dispose();
    http.close();
    for (const instance of instances) await instance.stop();
    if (redis) await redis.stop();
  }
}
