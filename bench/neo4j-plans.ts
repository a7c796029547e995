/**
 * PROFILE every Cypher statement the benchmark's store work sends to Neo4j, and save the plans.
 *
 *   npx tsx bench/neo4j-plans.ts [--size 10k] [--data DIR] [--out bench/results/plans]
 *
 * Starts Neo4j 5.26 with the launcher (neo4j-local/; `--data` keeps the database between runs so
 * the twin is loaded once), loads the seeded twin, then runs the store calls behind (a) the
 * dashboard page, (b) dependents at depth 10, (c) impact, one asset with its relationships and
 * (d) a state batch, recording each statement with its parameters. Every recorded transaction is
 * then replayed with `PROFILE` in a transaction that is rolled back (writes leave nothing), and
 * each statement's plan is written to `<out>/<size>-<workload>-<n>-<query>.txt`, with a summary
 * that flags label or all-node scans.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import neo4j, { type ProfiledPlan } from 'neo4j-driver';
import { CypherExecutor } from '../src/graph/neo4j/cypher-executor';
import type { CypherQuery } from '../src/graph/neo4j/cypher-files';
import type { GraphStore } from '../src/graph/graph-store';
import { loadImpactEdges, reachable } from '../src/graph/traversal';
import type { StateWrite } from '../src/graph/types';
import { startNeo4jLocal } from '../neo4j-local/launcher';
import { ROOT } from './harness/processes';
import { benchModel, loadTwin, openStore, parseSize, primeState, twinFacts } from './harness/twin';

interface Statement {
  name: string;
  text: string;
  params: Record<string, unknown>;
}
/** One unit of work as the adapter ran it: a single statement or a transaction's statements in order. */
type Unit = Statement[];

const recorded: Unit[] = [];
let recording = false;

/** Record what the executor runs (bench only: wraps its methods, production code is untouched). */
function recordStatements(): void {
  const proto = CypherExecutor.prototype as unknown as Record<string, (...args: any[]) => Promise<unknown>>;
  const unpack = (query: CypherQuery | string, params: Record<string, unknown> = {}): Statement =>
    typeof query === 'string' ? { name: 'inline', text: query, params } : { name: query.name, text: query.body, params };
  const execute = proto.execute;
  proto.execute = function (this: unknown, query: CypherQuery | string, params: Record<string, unknown>, routing: string) {
    if (recording) recorded.push([unpack(query, params)]);
    return execute.call(this, query, params, routing);
  };
  const transaction = proto.transaction;
  proto.transaction = function (this: unknown, mode: string, work: (tx: { run: (q: CypherQuery | string, p?: Record<string, unknown>) => Promise<unknown> }) => Promise<unknown>) {
    return transaction.call(this, mode, (tx: { run: (q: CypherQuery | string, p?: Record<string, unknown>) => Promise<unknown> }) => {
      // Each attempt of the body (the driver may retry one) is recorded as a unit of its own.
      const unit: Unit = [];
      if (recording) recorded.push(unit);
      return work({
        run: (q, p = {}) => {
          if (recording) unit.push(unpack(q, p));
          return tx.run(q, p);
        },
      });
    });
  };
}

async function capture(label: string, work: () => Promise<unknown>): Promise<{ label: string; units: Unit[] }> {
  recorded.length = 0;
  recording = true;
  try {
    await work();
  } finally {
    recording = false;
  }
  return { label, units: recorded.splice(0).filter((u) => u.length > 0) };
}

function renderPlan(plan: ProfiledPlan, depth = 0, out: string[] = []): string[] {
  const details = plan.arguments?.Details ? ` ${String(plan.arguments.Details)}` : '';
  out.push(`${'  '.repeat(depth)}${plan.operatorType}${details}  rows=${plan.rows} dbHits=${plan.dbHits}`);
  for (const child of plan.children) renderPlan(child, depth + 1, out);
  return out;
}

const operators = (plan: ProfiledPlan): string[] => [plan.operatorType, ...plan.children.flatMap(operators)];
const totalHits = (plan: ProfiledPlan): number => plan.dbHits + plan.children.reduce((n, c) => n + totalHits(c), 0);

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const size = parseSize(option(args, '--size', '10k'));
  const out = path.resolve(option(args, '--out', path.join(ROOT, 'bench', 'results', 'plans')));
  const dataArg = option(args, '--data', '');
  const local = await startNeo4jLocal({ heap: '1g', pageCacheMb: 512, data: dataArg || undefined, echo: process.stderr });
  Object.assign(process.env, { NEO4J_URI: local.uri, NEO4J_USERNAME: local.username, NEO4J_PASSWORD: local.password, NEO4J_DATABASE: 'neo4j' });
  const model = benchModel();
  const { store } = await openStore(path.join(ROOT, 'bench', 'tmp'), model);
  const driver = neo4j.driver(local.uri, neo4j.auth.basic(local.username, local.password));
  try {
    const facts = twinFacts(size.assets);
    if ((await store.countAssets({})) !== size.assets) {
      process.stderr.write(`plans: loading the ${size.label} twin\n`);
      await loadTwin(store, model, size.assets);
      await primeState(store, model, facts);
    }
    recordStatements();
    const workloads = await runWorkloads(store, facts);
    mkdirSync(out, { recursive: true });
    // The plans of an earlier run of this size go: a statement no longer sent must not stay listed.
    for (const file of readdirSync(out)) if (file.startsWith(`${size.label}-`)) rmSync(path.join(out, file));
    const summary: string[] = [`# PROFILE of the benchmark's store statements: ${size.label} twin, Neo4j ${local.version}`, ''];
    for (const { label, units } of workloads) {
      let n = 0;
      for (const unit of units) {
        const session = driver.session({ database: 'neo4j' });
        const tx = session.beginTransaction();
        try {
          for (const statement of unit) {
            const started = performance.now();
            const result = await tx.run(`PROFILE ${statement.text}`, statement.params);
            const ms = performance.now() - started;
            const plan = result.summary.profile;
            if (!plan) continue;
            const file = `${size.label}-${label}-${++n}-${statement.name}.txt`;
            const scans = operators(plan).filter((op) => /AllNodesScan|NodeByLabelScan/.test(op));
            writeFileSync(path.join(out, file), [`// ${statement.name} (${label}), ${result.records.length} rows, ${ms.toFixed(1)} ms with PROFILE`, `// parameters: ${JSON.stringify(statement.params, (_k, v) => (Array.isArray(v) && v.length > 8 ? [...v.slice(0, 8), `… ${v.length} items`] : v)).slice(0, 600)}`, ...renderPlan(plan), ''].join('\n'));
            summary.push(`${label.padEnd(12)} ${statement.name.padEnd(28)} ${String(result.records.length).padStart(6)} rows ${String(totalHits(plan)).padStart(9)} db hits ${ms.toFixed(1).padStart(8)} ms${scans.length ? `  SCAN: ${scans.join(', ')}` : ''}`);
          }
        } finally {
          await tx.rollback();
          await session.close();
        }
      }
    }
    writeFileSync(path.join(out, `${size.label}-summary.txt`), summary.join('\n') + '\n');
    process.stdout.write(summary.join('\n') + '\n');
  } finally {
    await driver.close();
    await store.close();
    await local.stop();
  }
}

/** The store calls of the benchmark's workloads (as in bench/harness/parts/queries.ts and ingest.ts). */
async function runWorkloads(store: GraphStore, facts: ReturnType<typeof twinFacts>) {
  const ups = facts.ups[0];
  const mid = facts.ids[Math.floor(facts.ids.length / 2)];
  const pdu = facts.pdus.find((id) => id.endsWith('-b') && id.includes('r0002')) ?? facts.pdus[1];
  const observedAt = new Date().toISOString();
  const reports: StateWrite[] = facts.servers.slice(0, 500).map((id, i) => ({ assetId: id, observedAt, eventId: `plans-${Date.now()}-${i}`, values: { powerKw: 1 + (i % 7) } }));
  return [
    await capture('dashboard', async () => {
      const page = await store.listAssets({ filter: {}, sort: { field: 'id', descending: false }, after: { value: mid, id: mid }, limit: 100 });
      await store.relationshipsOf(page.assets.map((a) => a.id), 'BOTH', undefined);
    }),
    await capture('dependents', async () => {
      await store.getAssets([ups]);
      // The walk brings the hops' summaries on Neo4j, as for the API's dependents { asset { id kind } }.
      const hops = (await reachable(store, [ups], 'DOWNSTREAM', { maxDepth: 10, summaries: true })).get(ups) ?? [];
      const missing = hops.filter((h) => !h.summary).map((h) => h.id);
      if (missing.length) await store.getAssetSummaries(missing);
    }),
    await capture('impact', async () => {
      await store.existingIds([ups, pdu]);
      await loadImpactEdges(store, [ups, pdu], { maxDepth: 10 });
    }),
    await capture('asset', async () => {
      await store.getAssets([mid]);
      await store.relationshipsOf([mid], 'BOTH', undefined);
    }),
    await capture('ingest', () => store.applyState(reports, { eventRetentionMs: 3_600_000 })),
  ];
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
