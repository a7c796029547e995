/**
 * Bulk import benchmark: `npx tsx bench/import-bench.ts [--assets 100000] [--formats json,ndjson] [--batch-size N]`.
 *
 * For each format, writes a synthetic data-center twin (bench/synthetic-twin.ts) into bench/tmp/,
 * runs the real import CLI (`npx tsx src/import/cli.ts <file>`) as a child process against a
 * fresh DATA_DIR (so the embedded SQLite store, unless NEO4J_URI is set), and prints a table of
 * throughput and peak memory taken from the CLI's JSON summary. Results are written to
 * bench/results/import-<date>.json.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SEED, writeSyntheticTwinFile, type SyntheticFileFormat } from './synthetic-twin';

const ROOT = path.resolve(__dirname, '..');
const TMP = path.join(__dirname, 'tmp');
const RESULTS = path.join(__dirname, 'results');

interface Options {
  assets: number;
  formats: SyntheticFileFormat[];
  batchSize?: number;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { assets: 100_000, formats: ['json', 'ndjson'], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split('=', 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--assets') options.assets = Number(value());
    else if (flag === '--batch-size') options.batchSize = Number(value());
    else if (flag === '--formats' || flag === '--format') options.formats = value().split(',') as SyntheticFileFormat[];
    else if (flag === '--keep') options.keep = true;
    else throw new Error(`unknown option ${argv[i]} (use --assets N, --formats json,ndjson, --batch-size N, --keep)`);
  }
  if (!Number.isInteger(options.assets) || options.assets < 1) throw new Error('--assets needs a whole number');
  for (const f of options.formats) if (f !== 'json' && f !== 'ndjson') throw new Error(`unknown format ${f}`);
  return options;
}

interface CliSummary {
  backend: string;
  assets: { received: number; written: number; rejected: number; durationMs: number };
  relationships: { received: number; written: number; rejected: number; durationMs: number };
  rows: number;
  durationMs: number;
  rowsPerSecond: number;
  peakRssMb: number;
  errorCount: number;
  errors: unknown[];
}

function runCli(file: string, dataDir: string, batchSize?: number): Promise<{ summary: CliSummary; wallMs: number }> {
  const args = ['tsx', 'src/import/cli.ts', file, ...(batchSize ? ['--batch-size', String(batchSize)] : [])];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile('npx', args, { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: number }).code : 0;
      if (code !== 0 && code !== 1) {
        reject(new Error(`import CLI failed (exit ${code}): ${stderr.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n')}`));
        return;
      }
      resolve({ summary: JSON.parse(stdout) as CliSummary, wallMs: Date.now() - started });
    });
    // Progress lines of the CLI, passed through.
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line && !line.startsWith('npm warn')) process.stderr.write(`  ${line}\n`);
    });
  });
}

const rate = (count: number, ms: number) => Math.round((count * 1000) / ms);
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

async function main() {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(TMP, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const runs = [];
  for (const format of options.formats) {
    const file = path.join(TMP, `synthetic-${options.assets}.${format}`);
    process.stderr.write(`writing ${file} ...\n`);
    const generated = Date.now();
    const written = await writeSyntheticTwinFile(file, options.assets, { format, seed: DEFAULT_SEED });
    const generateMs = Date.now() - generated;
    const dataDir = mkdtempSync(path.join(TMP, 'data-'));
    process.stderr.write(`importing ${written.assets} assets and ${written.relationships} relationships (${mb(written.bytes)} MB) ...\n`);
    try {
      const { summary, wallMs } = await runCli(file, dataDir, options.batchSize);
      if (summary.errorCount > 0) throw new Error(`the synthetic twin should import cleanly, got ${summary.errorCount} errors: ${JSON.stringify(summary.errors.slice(0, 3))}`);
      const storeFile = path.join(dataDir, 'twin.sqlite');
      runs.push({
        format,
        backend: summary.backend,
        assets: summary.assets.written,
        relationships: summary.relationships.written,
        rows: summary.rows,
        fileMb: mb(written.bytes),
        generateMs,
        importSeconds: summary.durationMs / 1000,
        cliWallSeconds: wallMs / 1000,
        assetsPerSecond: rate(summary.assets.received, summary.assets.durationMs),
        relationshipsPerSecond: rate(summary.relationships.received, summary.relationships.durationMs),
        rowsPerSecond: summary.rowsPerSecond,
        peakRssMb: summary.peakRssMb,
        storeMb: summary.backend === 'sqlite' ? mb(statSync(storeFile).size) : null,
      });
    } finally {
      if (!options.keep) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(file, { force: true });
      }
    }
  }

  const table = runs.map((r) => ({
    format: r.format,
    records: `${r.assets} + ${r.relationships}`,
    seconds: r.importSeconds.toFixed(1),
    'assets/s': r.assetsPerSecond,
    'relationships/s': r.relationshipsPerSecond,
    'rows/s': r.rowsPerSecond,
    'peak RSS MB': r.peakRssMb,
    'file MB': r.fileMb,
  }));
  console.table(table);

  const date = new Date().toISOString().slice(0, 10);
  const out = path.join(RESULTS, `import-${date}.json`);
  const result = {
    benchmark: 'import',
    date: new Date().toISOString(),
    machine: { platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 1073741824), node: process.version },
    options: { assets: options.assets, seed: DEFAULT_SEED, batchSize: options.batchSize ?? 'default (2000)' },
    notes: 'importSeconds is the import itself (from the CLI summary); cliWallSeconds adds npx/tsx start-up, model loading and store init. assets/s and relationships/s are per section, reading and validation included.',
    runs,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${path.relative(ROOT, out)}`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
