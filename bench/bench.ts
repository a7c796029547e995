/**
 * The benchmark harness: `npm run bench -- [--size 1k|10k|100k] [--parts a,b,c,d,e,f,live] [...]`.
 * See `npm run bench -- --help` and bench/README.md.
 *
 * 1. Generates the seeded synthetic twin (bench/synthetic-twin.ts) and loads it through the bulk
 *    path (importTopology) into a fresh store: load time and rows/s.
 * 2. Starts the API (createApp) as a child process on a free port and measures, over HTTP with
 *    warm-up: (a) a dashboard page, (b) dependents of a UPS at depth 10, (c) impact of a UPS and
 *    a PDU, (d) state ingestion by reportState and NDJSON POST /ingest, (e) runScenario
 *    submission, (f) RELIABILITY end to end.
 * 3. Baselines for (a)-(c): the same store calls without GraphQL/HTTP (the floor) and resolvers
 *    without DataLoader (naive), with ratios.
 * 4. live: reports into instance A, graphql-ws subscribers on instance B, over Redis.
 *    peer (Neo4j only): the API against @neo4j/graphql 7 over the same database (parts/peer.ts).
 * 5. Prints tables and goals; writes bench/results/bench-<size>-<date>[-<parts>].json.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { GraphStore } from '../src/graph/graph-store';
import { ALL_PARTS, ObservationClock, type BenchContext, type BenchOptions, type Part } from './harness/context';
import { HttpClient } from './harness/http-client';
import { runHistoryPart } from './harness/parts/history';
import { runIngestPart } from './harness/parts/ingest';
import { runLivePart } from './harness/parts/live';
import { runPeerPart } from './harness/parts/peer';
import { runQueryParts } from './harness/parts/queries';
import { runReliabilityPart, runSubmissionPart } from './harness/parts/scenarios';
import { ROOT, startBenchServer, startWorker, type BenchServer, type ChildHandle } from './harness/processes';
import { BenchReport, goal, machineInfo, type Goal } from './harness/report';
import { round } from './harness/stats';
import { StoreMeter } from './harness/store-meter';
import { benchModel, freshDataDir, loadTwin, openStore, parseSize, primeState, twinFacts } from './harness/twin';
import { missingPrerequisites, startNeo4jLocal, type Neo4jLocal } from '../neo4j-local/launcher';

const USAGE = `npm run bench -- [options]

  --size 1k|10k|100k|N      twin size in assets (default 10k)
  --parts a,b,c,d,e,f,history,peer,live  parts to run (default all; peer only with --store neo4j);
                            --part is the same
                              a dashboard page   b dependents depth 10   c impact UPS+PDU
                              d ingestion        e runScenario submit    f RELIABILITY end to end
                              peer  the API vs @neo4j/graphql 7 on the same Neo4j (needs --store neo4j)
                              live  reports into instance A, subscribers on instance B (Redis)
  --seconds S               longest measured phase of each latency measurement (default 6)
  --max-calls N             most measured calls per latency measurement (default 400)
  --concurrency C           in-flight requests of the throughput runs of a-c (default 4)
  --no-naive                skip the naive (no DataLoader) path
  --ingest-batch N          reportState records per mutation (default 500)
  --ndjson-lines N          NDJSON lines per POST /ingest (default 5000)
  --ingest-concurrency C    in-flight ingest requests (default 2)
  --ingest-seconds S        measured seconds per ingest path (default 6)
  --values-per-report K     metric values per report (default 1, so values/s = reports/s)
  --no-event-ids            reports without eventId (skips the duplicate check)
  --submissions N           runScenario submissions measured (default 100)
  --scenario-scope roots|twin  IMPACT runs scoped to roots=[PDU], maxDepth 4 (default) or the whole twin
  --samples N               RELIABILITY samples (default 10000)
  --reliability-runs N      RELIABILITY runs (default 2; the first includes engine-thread start-up)
  --live-rate N             live: reports per second into instance A (default 1000)
  --live-subscribers M      live: graphql-ws subscribers on instance B (default 10)
  --live-mode fanout|partition|reconnect  live: every subscriber gets every event (default), or a
                            slice of the assets, or every event while half of them go away for
                            --live-away-seconds and resume with after: (missed, duplicates, resume time)
  --live-slices K           live partition: K distinct slices, subscriber j watching slice j mod K
                            (default one slice per subscriber)
  --live-away-seconds S     live reconnect: seconds away (default 10)
  --live-seconds S          live: measured seconds (default 10)
  --import-batch-size N     importTopology batch size (default 2000)
  --profile                 V8 CPU profiles of the server processes under bench/tmp/profiles/
  --keep                    keep the store folder (bench/tmp/bench-<size>-*)
  --store sqlite|neo4j      the store to bench (default sqlite, or neo4j when NEO4J_URI is set); neo4j
                            without NEO4J_URI starts a fresh Neo4j 5.26 with the launcher (neo4j-local/)
  --neo4j-heap SIZE         heap of the Neo4j the bench starts (default 1g)
  --neo4j-page-cache MB     page cache of the Neo4j the bench starts (default 512)
  --warmup-s N              seconds the query parts and the peer run their requests before
                            measuring (default 20 with --store neo4j, for its JVM; 0 on SQLite)
  --tag NAME                add NAME to the result file's name (bench-<size>-<date>[-<parts>][-NAME].json)

Environment: NEO4J_URI (+ NEO4J_USERNAME/PASSWORD/DATABASE) to bench an external Neo4j
(the twin is upserted into that database); REDIS_URL for Redis pub/sub and BullMQ (a worker
process is started for scenarios); without REDIS_URL, live starts a redis-server if installed.`;

function parseOptions(argv: string[]): BenchOptions | 'help' {
  const o: BenchOptions = {
    size: parseSize('10k'),
    parts: [...ALL_PARTS],
    measure: { maxMs: 6000, maxCalls: 400 },
    concurrency: 4,
    ingest: { batch: 500, ndjsonLines: 5000, concurrency: 2, seconds: 6, valuesPerReport: 1, eventIds: true },
    scenarios: { submissions: 100, scope: 'roots', reliabilitySamples: 10_000, reliabilityRuns: 2 },
    live: { rate: 1000, subscribers: 10, seconds: 10, mode: 'fanout', batchMs: 20, slices: 0, awaySeconds: 10 },
    profile: false,
    keep: false,
    skipNaive: false,
    importBatchSize: 2000,
    store: process.env.NEO4J_URI ? 'neo4j' : 'sqlite',
    neo4jLocal: { heap: '1g', pageCacheMb: 512 },
    warmupSeconds: -1,
  };
  let partsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (min = 1) => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number of at least ${min}, got "${raw}"`);
      return n;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--size':
        o.size = parseSize(value());
        break;
      case '--part':
      case '--parts': {
        const parts = value().split(',').map((p) => p.trim()).filter(Boolean);
        for (const p of parts) if (!(ALL_PARTS as readonly string[]).includes(p)) throw new Error(`unknown part "${p}"; parts are ${ALL_PARTS.join(', ')}`);
        o.parts = ALL_PARTS.filter((p) => parts.includes(p));
        partsGiven = true;
        break;
      }
      case '--seconds':
        o.measure.maxMs = int() * 1000;
        break;
      case '--max-calls':
        o.measure.maxCalls = int();
        break;
      case '--concurrency':
        o.concurrency = int();
        break;
      case '--no-naive':
        o.skipNaive = true;
        break;
      case '--ingest-batch':
        o.ingest.batch = int();
        break;
      case '--ndjson-lines':
        o.ingest.ndjsonLines = int();
        break;
      case '--ingest-concurrency':
        o.ingest.concurrency = int();
        break;
      case '--ingest-seconds':
        o.ingest.seconds = int();
        break;
      case '--values-per-report':
        o.ingest.valuesPerReport = int();
        break;
      case '--no-event-ids':
        o.ingest.eventIds = false;
        break;
      case '--submissions':
        o.scenarios.submissions = int();
        break;
      case '--scenario-scope': {
        const scope = value();
        if (scope !== 'roots' && scope !== 'twin') throw new Error('--scenario-scope is roots or twin');
        o.scenarios.scope = scope;
        break;
      }
      case '--samples':
        o.scenarios.reliabilitySamples = int();
        break;
      case '--reliability-runs':
        o.scenarios.reliabilityRuns = int();
        break;
      case '--live-rate':
        o.live.rate = int();
        break;
      case '--live-subscribers':
        o.live.subscribers = int();
        break;
      case '--live-seconds':
        o.live.seconds = int();
        break;
      case '--live-mode': {
        const mode = value();
        if (mode !== 'fanout' && mode !== 'partition' && mode !== 'reconnect') throw new Error('--live-mode is fanout, partition or reconnect');
        o.live.mode = mode;
        break;
      }
      case '--live-slices':
        o.live.slices = int();
        break;
      case '--live-away-seconds':
        o.live.awaySeconds = int();
        break;
      case '--import-batch-size':
        o.importBatchSize = int();
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--store': {
        const store = value();
        if (store !== 'sqlite' && store !== 'neo4j') throw new Error('--store takes sqlite or neo4j');
        o.store = store;
        break;
      }
      case '--neo4j-heap': {
        const heap = value();
        if (!/^\d+[mg]$/.test(heap)) throw new Error('--neo4j-heap takes a size like 1g or 768m');
        o.neo4jLocal.heap = heap;
        break;
      }
      case '--neo4j-page-cache':
        o.neo4jLocal.pageCacheMb = int();
        break;
      case '--warmup-s':
        o.warmupSeconds = int(0);
        break;
      case '--tag': {
        const tag = value();
        if (!/^[\w.-]{1,40}$/.test(tag)) throw new Error('--tag takes letters, digits, _ . - (at most 40)');
        o.tag = tag;
        break;
      }
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  // The peer reads the Neo4j database the bench loaded: every part by default means every part the store has.
  if (o.store !== 'neo4j') {
    if (partsGiven && o.parts.includes('peer')) throw new Error('part peer needs --store neo4j (or NEO4J_URI): the peer is @neo4j/graphql over the same Neo4j database');
    o.parts = o.parts.filter((p) => p !== 'peer');
  }
  if (o.warmupSeconds < 0) o.warmupSeconds = o.store === 'neo4j' ? 20 : 0;
  return o;
}

/** Every part the store runs: `peer` only on Neo4j. */
const defaultParts = (store: BenchOptions['store']): Part[] => ALL_PARTS.filter((p) => p !== 'peer' || store === 'neo4j');

/** Which code was measured: the commit and whether the working tree had changes (read-only git). */
function sourceInfo(): { commit: string | null; changedFiles: number | null } {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout : null;
  };
  const commit = git('rev-parse', 'HEAD')?.trim() ?? null;
  const status = git('status', '--porcelain');
  return { commit, changedFiles: status === null ? null : status.split('\n').filter(Boolean).length };
}

function goals(report: BenchReport, options: BenchOptions): Goal[] {
  const out: Goal[] = [];
  const find = (part: string, p: string, c = 1) => report.latencies.find((r) => r.part === part && r.path === p && r.stats.concurrency === c);
  const at10k = options.size.assets === 10_000;
  const at100k = options.size.assets === 100_000;
  const sizeNote = (needed: string, ok: boolean) => (ok ? undefined : `goal is defined at ${needed}; this run is ${options.size.label}`);
  // The goals of the store benched: SQLite's from the bench README, Neo4j's from its own issue.
  const neo4j = options.store === 'neo4j';
  const target = neo4j ? { dashboard: 20, dependents: 150, ingest: 15_000 } : { dashboard: 15, dependents: 100, ingest: 20_000 };
  const api = find('a', 'API');
  const floor = find('a', 'store floor');
  if (api) {
    out.push(goal('(a) dashboard p95', `≤ ${target.dashboard} ms at 10k`, `${round(api.stats.p95, 2)} ms`, at10k ? api.stats.p95 <= target.dashboard : null, sizeNote('10k', at10k)));
    if (floor && !neo4j) {
      const ratio = api.stats.p95 / floor.stats.p95;
      out.push(goal('(a) dashboard p95 vs store floor', '≤ 1.5× at 10k', `${round(ratio, 2)}× (${round(api.stats.p95, 2)} / ${round(floor.stats.p95, 2)} ms)`, at10k ? ratio <= 1.5 : null, sizeNote('10k', at10k)));
    }
  }
  const deps = find('b', 'API');
  if (deps) out.push(goal('(b) dependents depth 10 p95', `≤ ${target.dependents} ms at 100k`, `${round(deps.stats.p95, 2)} ms`, at100k ? deps.stats.p95 <= target.dependents : null, sizeNote('100k', at100k)));
  const impact = find('c', 'API');
  if (impact && neo4j) out.push(goal('(c) impact p95', '≤ 80 ms at 10k', `${round(impact.stats.p95, 2)} ms`, at10k ? impact.stats.p95 <= 80 : null, sizeNote('10k', at10k)));
  const ingest = report.sections.ingest?.rows ?? [];
  for (const row of ingest) {
    const rate = Number(row['accepted values/s']);
    out.push(goal(`(d) ingestion, ${row.path}`, `≥ ${target.ingest.toLocaleString('en-US')} accepted values/s`, `${Math.round(rate).toLocaleString('en-US')} values/s`, rate >= target.ingest));
  }
  const reliability = report.latencies.filter((r) => r.part === 'f');
  if (reliability.length && neo4j) {
    const worst = Math.max(...reliability.map((r) => r.stats.p95));
    const ok = at10k && options.scenarios.reliabilitySamples === 10_000;
    out.push(goal('(f) RELIABILITY 10k samples, end to end (slowest run)', '≤ 5 s on 10k assets', `${round(worst / 1000, 2)} s`, ok ? worst <= 5000 : null, sizeNote('10k with 10,000 samples', ok)));
  }
  for (const [operation, target] of [['historyBuckets', 30], ['chart', 150]] as const) {
    for (const row of report.latencies.filter((r) => r.part === 'history' && r.operation.startsWith(operation) && !r.operation.includes('first and last'))) {
      out.push(goal(`(history) ${row.operation} p95`, `≤ ${target} ms`, `${round(row.stats.p95, 2)} ms`, row.stats.p95 <= target));
    }
  }
  const impactNow = report.latencies.find((r) => r.part === 'history' && r.operation === 'impact, now');
  const impactAsOf = report.latencies.find((r) => r.part === 'history' && r.operation.startsWith('impact, asOf'));
  if (impactNow && impactAsOf) {
    const ratio = impactAsOf.stats.p95 / impactNow.stats.p95;
    out.push(goal(`(history) ${impactAsOf.operation}: p95 / without asOf`, '≤ 3×', `${round(ratio, 2)}× (${round(impactAsOf.stats.p95, 1)} / ${round(impactNow.stats.p95, 1)} ms)`, ratio <= 3));
  }
  const submit = find('e', 'API');
  if (submit) out.push(goal('(e) runScenario submission p95', '≤ 20 ms', `${round(submit.stats.p95, 2)} ms`, submit.stats.p95 <= 20));
  // Part peer: the API against @neo4j/graphql on the same Neo4j.
  for (const [key, name, target, ratio, at, ok] of [
    ['(a)', '(peer a) dashboard p95', 20, 0.8, '10k', at10k],
    ['(b)', '(peer b) dependents depth 10 p95', 150, 0.5, '100k', at100k],
  ] as const) {
    const rows = report.latencies.filter((r) => r.part === 'peer' && r.operation.startsWith(key));
    const ours = rows.find((r) => r.path === 'API');
    const peer = rows.find((r) => r.path === (report.meta.peer as { path?: string } | undefined)?.path);
    if (!ours || !peer) continue;
    out.push(goal(name, `≤ ${target} ms at ${at}`, `${round(ours.stats.p95, 2)} ms`, ok ? ours.stats.p95 <= target : null, sizeNote(at, ok)));
    const r = ours.stats.p95 / peer.stats.p95;
    out.push(goal(`${name} vs ${peer.path}`, `≤ ${ratio}× at ${at}`, `${round(r, 2)}× (${round(ours.stats.p95, 2)} / ${round(peer.stats.p95, 2)} ms)`, ok ? r <= ratio : null, sizeNote(at, ok)));
  }
  return out;
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parsed;
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const report = new BenchReport();
  const model = benchModel();
  const neo4jLocal = options.store === 'neo4j' && !process.env.NEO4J_URI ? await startBenchNeo4j(options) : null;
  const neo4j = options.store === 'neo4j';
  const dataDir = freshDataDir(options.size.label);
  // Profiles are large scratch files: under bench/tmp (git-ignored), not bench/results.
  const profileDir = path.join(ROOT, 'bench', 'tmp', 'profiles', `${options.size.label}-${stamp}`);
  const nodeFlags = (label: string) => (options.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, label)}`] : []);
  // Servers run as deployed (the Dockerfile sets NODE_ENV=production: graphql-js skips its
  // development-only checks); set NODE_ENV to run them otherwise.
  const serverEnv = { DATA_DIR: dataDir, SEED_DEMO: '0', LOG_LEVEL: process.env.LOG_LEVEL || 'warn', NODE_ENV: process.env.NODE_ENV || 'production' };
  let store: GraphStore | null = null;
  let server: BenchServer | null = null;
  let worker: ChildHandle | null = null;
  const client = new HttpClient(64);
  const backends = { store: neo4j ? 'neo4j' : 'sqlite', history: process.env.HISTORY_URL ? 'postgres' : 'sqlite', pubsub: process.env.REDIS_URL ? 'redis' : 'in-process', queue: process.env.REDIS_URL ? 'bullmq' : 'in-process' };
  try {
    process.stderr.write(`bench: ${options.size.label} assets, parts ${options.parts.join(',')}, store ${backends.store}${neo4j ? '' : ` in ${path.relative(ROOT, dataDir)}`}\n`);
    const opened = await openStore(dataDir, model);
    const floorMeter = new StoreMeter();
    const raw = opened.store;
    store = raw;

    // 1. Load through the bulk path.
    process.stderr.write(`load: generating and importing the ${options.size.label} twin ...\n`);
    const load = await loadTwin(raw, model, options.size.assets, options.importBatchSize);
    report.addSection('load', `Load: synthetic twin (seed 20240611) through importTopology into a fresh ${backends.store} store`, [
      {
        size: options.size.label,
        assets: load.assets,
        relationships: load.relationships,
        rows: load.rows,
        seconds: round(load.seconds, 2),
        'rows/s': round(load.rowsPerSecond, 0),
        'assets/s': round(load.assetsPerSecond, 0),
        'relationships/s': round(load.relationshipsPerSecond, 0),
        'batch size': load.batchSize,
      },
    ], load);
    const facts = twinFacts(options.size.assets);

    if (options.parts.includes('a')) {
      process.stderr.write('prime: one state report per asset (all its metrics), straight through the store ...\n');
      const prime = await primeState(raw, model, facts);
      report.addSection('prime', 'State prime (setup for the dashboard, not a goal): one report per asset via GraphStore.applyState', [
        { reports: prime.reports, seconds: round(prime.seconds, 2), 'reports/s': round(prime.reports / prime.seconds, 0) },
      ]);
    }

    const clock = new ObservationClock();
    const apiParts = options.parts.filter((p) => p !== 'live');
    if (apiParts.length) {
      const env = { ...serverEnv, ...(process.env.REDIS_URL ? { SCENARIO_QUEUE: `bench-${process.pid}` } : {}) };
      server = await startBenchServer({ env, label: 'api', nodeFlags: nodeFlags('api') });
      Object.assign(backends, { store: server.backend, history: server.history, pubsub: server.pubsub, queue: server.queue });
      const index = server.topologyIndex;
      report.addSection('topology-index', "The API's in-memory topology index, loaded at start (TOPOLOGY_INDEX_MAX_ASSETS)", [
        { state: index.state, assets: index.assets, relationships: index.relationships, 'load ms': index.loadMs },
      ]);
      if (server.queue === 'bullmq' && (apiParts.includes('e') || apiParts.includes('f'))) {
        worker = await startWorker({ env: { ...env, LOG_LEVEL: 'info' }, label: 'worker', nodeFlags: nodeFlags('worker') });
      }
      const ctx: BenchContext = { options, model, facts, store: floorMeter.wrap(raw), floorMeter, server, client, report, clock, serverEnv, nodeFlags };
      if (apiParts.some((p) => p === 'a' || p === 'b' || p === 'c')) await runQueryParts(ctx);
      if (apiParts.includes('d')) await runIngestPart(ctx);
      if (apiParts.includes('e')) await runSubmissionPart(ctx);
      if (apiParts.includes('f')) await runReliabilityPart(ctx);
      if (apiParts.includes('history')) await runHistoryPart(ctx);
      if (apiParts.includes('peer')) await runPeerPart(ctx);
      await worker?.stop();
      worker = null;
      await server.stop();
      server = null;
    }
    if (options.parts.includes('live')) {
      if (backends.pubsub === 'in-process') backends.pubsub = 'redis (live part)';
      const ctx = { options, model, facts, store: raw, floorMeter, server: null as unknown as BenchServer, client, report, clock, serverEnv, nodeFlags };
      await runLivePart(ctx);
    }

    report.goals.push(...goals(report, options));
    const machine = machineInfo(backends);
    report.notes.push(
      'Latencies are client-side over loopback HTTP with keep-alive, from request start to the last response byte; the load generator runs in its own process (the server is a child process).',
      'The store floor makes the same store calls as the API resolvers for the same request (checked by the store-calls column), in the bench process, on its own connection.',
    );
    if (options.profile) report.notes.push(`CPU profiles: ${path.relative(ROOT, profileDir)} (summarise with: npx tsx bench/profile-summary.ts <file.cpuprofile>)`);
    const source = sourceInfo();
    const header = `twin-graph-api bench — ${options.size.label} assets (${load.assets} assets, ${load.relationships} relationships), parts ${options.parts.join(',')}\n` +
      `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}, ${machine.platform}; store ${machine.store}${neo4jLocal ? ` (Neo4j ${neo4jLocal.version}, heap ${neo4jLocal.heap}, page cache ${neo4jLocal.pageCacheMb} MB)` : ''}, history ${machine.history}, pub/sub ${machine.pubsub}, queue ${machine.queue}\n` +
      `source: ${source.commit?.slice(0, 12) ?? 'unknown'}${source.changedFiles ? ` + ${source.changedFiles} changed files in the working tree` : ''}; servers with NODE_ENV=${serverEnv.NODE_ENV}`;
    report.print(header);
    const allParts = options.parts.length === defaultParts(options.store).length;
    const file = path.join(ROOT, 'bench', 'results', `bench-${options.size.label}-${started.toISOString().slice(0, 10)}${allParts ? '' : `-${options.parts.join('')}`}${options.tag ? `-${options.tag}` : ''}.json`);
    report.write(file, {
      benchmark: 'twin-graph-api',
      date: started.toISOString(),
      source: sourceInfo(),
      // The servers inherit the bench's environment: GRAPHQL_JIT=0 is what an A/B of the executor sets.
      serverEnv: { NODE_ENV: serverEnv.NODE_ENV, LOG_LEVEL: serverEnv.LOG_LEVEL, ...(process.env.GRAPHQL_JIT ? { GRAPHQL_JIT: process.env.GRAPHQL_JIT } : {}) },
      durationSeconds: round((Date.now() - started.getTime()) / 1000, 1),
      machine,
      neo4j: neo4j ? neo4jInfo(neo4jLocal) : undefined,
      options,
      twin: { size: options.size, seed: 20240611, layout: facts.layout },
    });
    process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
  } finally {
    client.close();
    await worker?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await neo4jLocal?.stop().catch(() => undefined);
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
    else if (!neo4j) process.stderr.write(`store kept in ${dataDir}\n`);
  }
}

/** A fresh Neo4j for this run; the servers and the store of the bench reach it through NEO4J_*. */
async function startBenchNeo4j(options: BenchOptions): Promise<Neo4jLocal> {
  const missing = missingPrerequisites();
  if (missing) throw new Error(`--store neo4j: ${missing}, or set NEO4J_URI`);
  process.stderr.write(`bench: starting Neo4j (heap ${options.neo4jLocal.heap}, page cache ${options.neo4jLocal.pageCacheMb} MB) ...\n`);
  const neo4j = await startNeo4jLocal({ heap: options.neo4jLocal.heap, pageCacheMb: options.neo4jLocal.pageCacheMb, echo: process.stderr });
  Object.assign(process.env, { NEO4J_URI: neo4j.uri, NEO4J_USERNAME: neo4j.username, NEO4J_PASSWORD: neo4j.password, NEO4J_DATABASE: 'neo4j' });
  return neo4j;
}

/** What the result file says about the Neo4j benched. */
function neo4jInfo(local: Neo4jLocal | null) {
  if (!local) return { started: 'external (NEO4J_URI)', uri: process.env.NEO4J_URI?.replace(/\/\/[^@/]*@/, '//') };
  return { started: 'by the bench (neo4j-local)', version: local.version, heap: local.heap, pageCacheMb: local.pageCacheMb };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
