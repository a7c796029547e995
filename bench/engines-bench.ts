/**
 * Simulation engine benchmark: `npx tsx bench/engines-bench.ts [--assets 10000] [--samples 10000] [--seed N]`.
 *
 * Times the pure engines (src/sim) on two in-memory snapshots of `--assets` assets:
 * - `datacenter`: the synthetic data-center twin (bench/synthetic-twin.ts), relationships turned
 *   into dependency edges with the built-in model's directions (feeds, UPS, PDUs, CRAHs and
 *   chillers can fail; servers, services and sensors only through what they depend on);
 * - `dense`: a random layered dependency graph with 2.5 edges per asset, most in redundancy
 *   groups, where every asset can fail on its own (the worst case for the sampler).
 * For each, prints the time of RELIABILITY (`--samples` samples, compile included) and of LOAD
 * (with one PDU failed in the data center). Timings are wall-clock on this machine; run it twice.
 */
import { performance } from 'node:perf_hooks';
import type { AssetRecord, DependencyEdge, GraphSnapshot, Properties } from '../src/graph/types';
import { indexModel, loadTwinModel } from '../src/model/twin-model';
import { runLoad } from '../src/sim/load';
import { createRandom } from '../src/sim/random';
import { runReliability } from '../src/sim/reliability';
import { DEFAULT_SEED, syntheticTwin } from './synthetic-twin';

interface Options {
  assets: number;
  samples: number;
  seed: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { assets: 10_000, samples: 10_000, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split('=', 2) : [argv[i], undefined];
    const value = Number(inline ?? argv[++i]);
    if (!Number.isSafeInteger(value)) throw new Error(`${flag} needs an integer`);
    if (flag === '--assets') options.assets = value;
    else if (flag === '--samples') options.samples = value;
    else if (flag === '--seed') options.seed = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

const NOW = '2026-01-01T00:00:00.000Z';
const record = (id: string, kind: string, properties: Properties = {}): AssetRecord => ({
  id,
  kind,
  name: null,
  properties,
  state: {},
  stateObservedAt: {},
  status: null,
  version: 1,
  createdAt: NOW,
  updatedAt: NOW,
});

/** The synthetic data-center twin as the worker would load it: assets and their dependency edges. */
function datacenterSnapshot(assetCount: number): GraphSnapshot {
  const twin = syntheticTwin(assetCount, DEFAULT_SEED);
  const model = indexModel(loadTwinModel());
  const assets = new Map<string, AssetRecord>();
  for (const a of twin.assets) {
    const properties = Object.fromEntries(Object.entries(a.properties ?? {}).filter(([, v]) => v !== null)) as Properties;
    assets.set(a.id, record(a.id, a.kind, properties));
  }
  const edges: DependencyEdge[] = [];
  for (const r of twin.relationships) {
    const dependency = model.types.get(r.type)?.dependency ?? 'NONE';
    if (dependency === 'NONE') continue;
    const relationship = { from: r.from, to: r.to, type: r.type, properties: r.properties ?? {} };
    edges.push(dependency === 'FORWARD' ? { supplier: r.from, consumer: r.to, relationship } : { supplier: r.to, consumer: r.from, relationship });
  }
  return { assets, edges };
}

/** 20 layers; each asset past the first depends on 2 or 3 assets of the layer above, mostly as a redundant group. */
function denseSnapshot(assetCount: number, seed: number): GraphSnapshot {
  const random = createRandom(seed);
  const layers = 20;
  const perLayer = Math.ceil(assetCount / layers);
  const id = (i: number) => `n${String(i).padStart(6, '0')}`;
  const assets = new Map<string, AssetRecord>();
  const edges: DependencyEdge[] = [];
  for (let i = 0; i < assetCount; i++) {
    const layer = Math.floor(i / perLayer);
    assets.set(id(i), record(id(i), layer === layers - 1 ? 'Service' : 'Node', { availability: 0.99 + random.next() * 0.0099, loadKw: random.next(), capacityKw: 50 }));
    if (layer === 0) continue;
    const count = random.next() < 0.5 ? 2 : 3;
    const suppliers = new Set<number>();
    while (suppliers.size < count) suppliers.add((layer - 1) * perLayer + Math.floor(random.next() * perLayer));
    const grouped = random.next() < 0.8;
    for (const s of suppliers) {
      const properties: Properties = grouped ? { redundancyGroup: 'g', minLive: count - 1 } : {};
      edges.push({ supplier: id(s), consumer: id(i), relationship: { from: id(s), to: id(i), type: 'FEEDS', properties } });
    }
  }
  return { assets, edges };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  console.log(`node ${process.version}, ${options.assets} assets, ${options.samples} samples, seed ${options.seed}`);
  const cases: { name: string; snapshot: GraphSnapshot; failed: string[] }[] = [
    { name: 'datacenter', snapshot: datacenterSnapshot(options.assets), failed: ['pdu-r0001-a'] },
    { name: 'dense', snapshot: denseSnapshot(options.assets, options.seed), failed: [] },
  ];
  const rows = [];
  for (const { name, snapshot, failed } of cases) {
    // A small warm-up so the timings are of optimised code.
    runReliability(snapshot, { samples: 200, seed: options.seed });
    runLoad(snapshot, { failed });
    const reliability = time(() => runReliability(snapshot, { samples: options.samples, seed: options.seed }));
    const load = time(() => runLoad(snapshot, { failed, loadFactors: [{ kind: 'Server', factor: 1.2 }] }));
    const halfWidth = reliability.value.summary.convergence.at(-1)?.maxHalfWidth ?? 0;
    rows.push({
      snapshot: name,
      assets: snapshot.assets.size,
      edges: snapshot.edges.length,
      'reliability ms': Math.round(reliability.ms),
      'µs/sample': Math.round((reliability.ms * 1000) / options.samples),
      'max half-width': halfWidth.toFixed(5),
      'service avail.': reliability.value.summary.expectedServiceAvailability?.toFixed(5) ?? '-',
      'load ms': Math.round(load.ms),
      overloaded: load.value.summary.overloaded.length,
      'demand kW': Math.round(load.value.summary.totalDemandKw),
    });
  }
  console.table(rows);
}

main();
