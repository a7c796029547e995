import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedDemoTwin } from '../../src/demo/demo-twin';
import type { GraphStore } from '../../src/graph/graph-store';
import { loadImpactEdges } from '../../src/graph/traversal';
import { importTopology, type ImportProgress, type ImportReport } from '../../src/import/import-topology';
import { readTopologyFile } from '../../src/import/read-topology-file';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { computeImpact } from '../../src/sim/impact';
import { openTestStore, STORE, storeEnv, wipeStore } from '../support/stores/test-store';

const model = indexModel(loadTwinModel());
const ROOT = path.resolve(__dirname, '../..');

let dir: string;
const stores: GraphStore[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'twin-import-'));
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

let fileCounter = 0;
/** An empty store of the kind under test (on Neo4j: the run's database, wiped). */
async function freshStore(): Promise<GraphStore> {
  const dataDir = path.join(dir, `store-${++fileCounter}`);
  mkdirSync(dataDir, { recursive: true });
  await wipeStore();
  return openStore(dataDir);
}

/** The store the CLI wrote into `dataDir`. */
async function openStore(dataDir: string): Promise<GraphStore> {
  const store = openTestStore(dataDir, model);
  await store.init();
  stores.push(store);
  return store;
}

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Assets: 0 good, 1 unknown kind, 2 nested property, 3 and 4 good. */
const ASSETS = [
  { id: 'imp-site', kind: 'Site', name: 'Import site' },
  { id: 'imp-ship', kind: 'Spaceship', name: 'Not a data-center kind' },
  { id: 'imp-rack-1', kind: 'Rack', properties: { dimensions: { widthMm: 600 } } },
  { id: 'imp-rack-2', kind: 'Rack', name: 'Rack 2', properties: { row: 1, capacityKw: 12 } },
  { id: 'imp-srv-1', kind: 'Server', name: 'Server 1', properties: { loadKw: 0.4 } },
];

/** Relationships: 0 good, 1 unknown endpoint, 2 endpoint that was rejected, 3 unknown type, 4 good. */
const RELATIONSHIPS = [
  { from: 'imp-rack-2', to: 'imp-srv-1', type: 'HOSTS' },
  { from: 'imp-rack-2', to: 'imp-ghost', type: 'HOSTS' },
  { from: 'imp-rack-1', to: 'imp-srv-1', type: 'HOSTS' },
  { from: 'imp-site', to: 'imp-rack-2', type: 'POWERS' },
  { from: 'imp-site', to: 'imp-rack-2', type: 'CONTAINS', properties: { since: 2021 } },
];

function expectBadRecordsReported(report: ImportReport) {
  expect(report.assets).toMatchObject({ received: 5, written: 3, rejected: 2 });
  expect(report.relationships).toMatchObject({ received: 5, written: 2, rejected: 3 });
  expect(report.errorCount).toBe(5);
  expect(report.errors).toEqual([
    expect.objectContaining({ section: 'assets', index: 1, id: 'imp-ship', message: expect.stringContaining('assets[1].kind: unknown asset kind "Spaceship"') }),
    expect.objectContaining({ section: 'assets', index: 2, id: 'imp-rack-1', message: expect.stringMatching(/assets\[2\]\.properties\.dimensions: .*nested object/) }),
    expect.objectContaining({ section: 'relationships', index: 1, id: 'imp-rack-2 -[HOSTS]-> imp-ghost', message: 'relationships[1].to: asset "imp-ghost" does not exist' }),
    expect.objectContaining({ section: 'relationships', index: 2, message: 'relationships[2].from: asset "imp-rack-1" does not exist' }),
    expect.objectContaining({ section: 'relationships', index: 3, message: expect.stringContaining('relationships[3].type: unknown relationship type "POWERS"') }),
  ]);
}

async function expectGoodRecordsWritten(store: GraphStore) {
  const [site, ship, rack1, rack2, server] = await store.getAssets(ASSETS.map((a) => a.id));
  expect(site).toMatchObject({ kind: 'Site', name: 'Import site' });
  expect(ship).toBeNull();
  expect(rack1).toBeNull();
  expect(rack2).toMatchObject({ kind: 'Rack', properties: { row: 1, capacityKw: 12 } });
  expect(server).toMatchObject({ kind: 'Server', properties: { loadKw: 0.4 } });
  const rels = await store.relationshipsOf(['imp-rack-2'], 'BOTH');
  expect(rels.get('imp-rack-2')).toEqual(
    expect.arrayContaining([
      { from: 'imp-rack-2', to: 'imp-srv-1', type: 'HOSTS', properties: {} },
      { from: 'imp-site', to: 'imp-rack-2', type: 'CONTAINS', properties: { since: 2021 } },
    ]),
  );
  expect(rels.get('imp-rack-2')).toHaveLength(2);
}

const jsonTopology = () => JSON.stringify({ assets: ASSETS, relationships: RELATIONSHIPS }, null, 2);

describe('importTopology from a JSON file', () => {
  it('writes the good records and reports each bad one with its index', async () => {
    const store = await freshStore();
    const report = await importTopology(store, model, readTopologyFile(writeFile('bad-records.json', jsonTopology())));
    expectBadRecordsReported(report);
    await expectGoodRecordsWritten(store);
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives the same result in batches of two, reporting progress per batch', async () => {
    const store = await freshStore();
    const progress: ImportProgress[] = [];
    const report = await importTopology(store, model, readTopologyFile(writeFile('batches.json', jsonTopology())), {
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expectBadRecordsReported(report);
    await expectGoodRecordsWritten(store);
    const last = (section: string) => progress.filter((p) => p.section === section).pop();
    expect(last('assets')).toMatchObject({ received: 5, written: 3, rejected: 2, sectionDone: true });
    expect(last('relationships')).toMatchObject({ received: 5, written: 2, rejected: 3, totalReceived: 10, sectionDone: true });
    expect(progress.filter((p) => !p.sectionDone).length).toBeGreaterThanOrEqual(3);
  });

  it('keeps at most maxErrors errors but counts them all', async () => {
    const store = await freshStore();
    const report = await importTopology(store, model, { assets: ASSETS, relationships: RELATIONSHIPS }, { maxErrors: 2 });
    expect(report.errorCount).toBe(5);
    expect(report.errors.map((e) => [e.section, e.index])).toEqual([
      ['assets', 1],
      ['assets', 2],
    ]);
  });

  it('fails clearly on a missing file, an unknown extension or malformed JSON', async () => {
    expect(() => readTopologyFile(path.join(dir, 'nope.json'))).toThrow(/topology file not found/);
    expect(() => readTopologyFile(writeFile('topology.csv', 'id,kind\n'))).toThrow(/unsupported topology file type "\.csv"/);
    const store = await freshStore();
    const broken = writeFile('broken.json', '{"assets": [{"id": "imp-a", "kind": "Site"}, {"id": ');
    await expect(importTopology(store, model, readTopologyFile(broken))).rejects.toThrow(/broken\.json: cannot read "assets"/);
  });
});

describe('importTopology from an NDJSON file', () => {
  it('reports malformed lines as records and the rest like JSON', async () => {
    const lines = [
      ...ASSETS.slice(0, 2).map((asset) => JSON.stringify({ asset })),
      JSON.stringify({ relationship: RELATIONSHIPS[0] }), // relationships may come first
      '{"asset": {"id": "imp-broken", "kind": ',
      '',
      ...ASSETS.slice(2).map((asset) => JSON.stringify({ asset })),
      ...RELATIONSHIPS.slice(1).map((relationship) => JSON.stringify({ relationship })),
      '{"server": {"id": "imp-x"}}',
    ];
    const store = await freshStore();
    const report = await importTopology(store, model, readTopologyFile(writeFile('bad-records.ndjson', `${lines.join('\n')}\n`)));

    // The malformed line counts as an asset record (index 2), so later assets move up by one.
    expect(report.assets).toMatchObject({ received: 7, written: 3, rejected: 4 });
    expect(report.relationships).toMatchObject({ received: 5, written: 2, rejected: 3 });
    expect(report.errorCount).toBe(7);
    const assetErrors = report.errors.filter((e) => e.section === 'assets');
    expect(assetErrors).toEqual([
      expect.objectContaining({ index: 1, line: 2, id: 'imp-ship', message: expect.stringContaining('assets[1].kind: unknown asset kind') }),
      expect.objectContaining({ index: 2, line: 4, message: expect.stringMatching(/^line 4: malformed JSON/) }),
      expect.objectContaining({ index: 3, line: 6, id: 'imp-rack-1', message: expect.stringContaining('assets[3].properties.dimensions') }),
      expect.objectContaining({ index: 6, line: 13, message: 'line 13: expected {"asset": {...}} or {"relationship": {...}}' }),
    ]);
    const relationshipErrors = report.errors.filter((e) => e.section === 'relationships');
    expect(relationshipErrors.map((e) => [e.index, e.line])).toEqual([
      [1, 9],
      [2, 10],
      [3, 11],
    ]);
    expect(relationshipErrors[0].message).toBe('relationships[1].to: asset "imp-ghost" does not exist');
    await expectGoodRecordsWritten(store);
  });
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], dataDir: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'src/import/cli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...storeEnv(), DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

const CLI_TIMEOUT = 120_000;

describe('npm run import (the CLI)', () => {
  it('imports a file, prints a JSON summary and exits 1 when records were rejected', async () => {
    const dataDir = mkdtempSync(path.join(dir, 'cli-'));
    await wipeStore();
    const file = writeFile('cli.json', jsonTopology());
    const result = await runCli([file, '--batch-size', '2'], dataDir);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      backend: STORE,
      batchSize: 2,
      ok: false,
      assets: { received: 5, written: 3, rejected: 2 },
      relationships: { received: 5, written: 2, rejected: 3 },
      rows: 10,
      errorCount: 5,
    });
    expect(summary.errors[0]).toMatchObject({ section: 'assets', index: 1, id: 'imp-ship' });
    expect(summary.peakRssMb).toBeGreaterThan(0);
    expect(typeof summary.rowsPerSecond).toBe('number');

    // The data is in DATA_DIR's store.
    await expectGoodRecordsWritten(await openStore(dataDir));
  }, CLI_TIMEOUT);

  it('exits 0 when everything was written and 2 on a fatal error', async () => {
    const dataDir = mkdtempSync(path.join(dir, 'cli-'));
    await wipeStore();
    const clean = writeFile('clean.ndjson', [
      JSON.stringify({ asset: { id: 'cli-rack', kind: 'Rack' } }),
      JSON.stringify({ asset: { id: 'cli-srv', kind: 'Server' } }),
      JSON.stringify({ relationship: { from: 'cli-rack', to: 'cli-srv', type: 'HOSTS' } }),
    ].join('\n'));
    const ok = await runCli([clean], dataDir);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, rows: 3, errorCount: 0, errors: [] });

    const missing = await runCli([path.join(dir, 'missing.json')], dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/missing\.json: topology file not found/);

    const usage = await runCli([clean, '--batch-size', 'zero'], dataDir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--batch-size needs a whole number/);
  }, CLI_TIMEOUT);
});

describe('the demo twin in a real store', () => {
  let store: GraphStore;

  beforeAll(async () => {
    store = await freshStore();
    const report = await seedDemoTwin(store, model);
    expect(report).toMatchObject({ errorCount: 0, assets: { written: 276, rejected: 0 }, relationships: { rejected: 0 } });
  });

  const impact = async (failed: string[]) => computeImpact(await loadImpactEdges(store, failed, { maxDepth: 10 }), failed);
  const ids = (entries: { id: string }[]) => entries.map((e) => e.id).sort();

  it('puts row 1 at risk and nothing down when pdu-r1-a fails', async () => {
    const result = await impact(['pdu-r1-a']);
    expect(result.failed).toEqual(['pdu-r1-a']);
    expect(result.down).toEqual([]);
    expect(ids(result.atRisk)).toEqual(['rack-r1-01', 'rack-r1-02', 'rack-r1-03', 'rack-r1-04', 'rack-r1-05']);
    expect(result.atRisk[0]).toMatchObject({ depth: 1, cause: 'pdu-r1-a' });
  });

  it('takes row 2, its servers and the services needing them down when both row-2 PDUs fail', async () => {
    const result = await impact(['pdu-r2-a', 'pdu-r2-b']);
    const down = ids(result.down);
    expect(down.filter((id) => id.startsWith('rack-'))).toEqual(['rack-r2-01', 'rack-r2-02', 'rack-r2-03', 'rack-r2-04', 'rack-r2-05']);
    const servers = down.filter((id) => id.startsWith('srv-'));
    expect(servers).toHaveLength(50);
    expect(servers.every((id) => id.startsWith('srv-r2-'))).toBe(true);
    expect(down.filter((id) => id.startsWith('svc-'))).toEqual(['svc-checkout', 'svc-db-primary', 'svc-storefront']);
    expect(down).toHaveLength(58);
    expect(result.down.find((e) => e.id === 'svc-checkout')).toMatchObject({ depth: 4, cause: 'pdu-r2-a' });
    // Replicated services with one replica in row 2 keep running, without their redundancy.
    expect(ids(result.atRisk)).toEqual(['svc-api', 'svc-cache', 'svc-search', 'svc-web']);
  });
});
