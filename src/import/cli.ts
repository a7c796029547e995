/**
 * Bulk topology import from a file: `npm run import -- topology.json [--batch-size N]`.
 *
 * Writes to the store configured by the environment (DATA_DIR for the embedded SQLite file,
 * or NEO4J_URI), validating every record against the twin model (TWIN_MODEL). Progress goes to
 * stderr, a JSON summary to stdout. Exit code: 0 when every record was written, 1 when some
 * were rejected, 2 on a fatal error (bad arguments, unreadable file, store failure).
 */
import { loadConfig } from '../config';
import type { GraphStore } from '../graph/graph-store';
import { DEFAULT_IMPORT_BATCH_SIZE, importTopology, type ImportProgress, type ImportReport } from './import-topology';
import { readTopologyFile } from './read-topology-file';

const USAGE = `Usage: npm run import -- <file.json|file.ndjson> [--batch-size N] [--max-errors N] [--quiet]

  <file>            .json: {"assets": [...], "relationships": [...]}
                    .ndjson: one {"asset": {...}} or {"relationship": {...}} per line
  --batch-size N    records per store transaction (default ${DEFAULT_IMPORT_BATCH_SIZE})
  --max-errors N    errors kept in the summary's report (default 1000; all are counted)
  --quiet           no progress lines on stderr

Environment: DATA_DIR, NEO4J_URI (+ NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE), TWIN_MODEL.
Exit code: 0 all written, 1 some records rejected, 2 fatal error.`;

/** How many errors the printed summary lists (the count covers all). */
const SUMMARY_ERRORS = 20;
/** A progress line every this many records. */
const PROGRESS_EVERY = 10_000;

export interface CliArgs {
  file: string;
  batchSize: number;
  maxErrors?: number;
  quiet: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: string[]): CliArgs | 'help' {
  const files: string[] = [];
  const args: Partial<CliArgs> = { batchSize: DEFAULT_IMPORT_BATCH_SIZE, quiet: false };
  const wholeNumber = (flag: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isInteger(value) || value < 1) {
      throw new UsageError(`${flag} needs a whole number of at least 1, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--batch-size') args.batchSize = wholeNumber(flag, value());
    else if (flag === '--max-errors') args.maxErrors = wholeNumber(flag, value());
    else if (flag === '--quiet') args.quiet = true;
    else if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError(files.length === 0 ? 'no topology file given' : `one topology file at a time, got ${files.length}`);
  return { ...args, file: files[0] } as CliArgs;
}

/** Peak resident set size of this process so far, in MB (from the kernel's maxRSS). */
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

const perSecond = (count: number, ms: number) => (ms > 0 ? Math.round((count * 1000) / ms) : null);

export function summarize(file: string, backend: string, batchSize: number, report: ImportReport) {
  const rows = report.assets.received + report.relationships.received;
  return {
    file,
    backend,
    batchSize,
    ok: report.errorCount === 0,
    assets: { ...report.assets, perSecond: perSecond(report.assets.received, report.assets.durationMs) },
    relationships: { ...report.relationships, perSecond: perSecond(report.relationships.received, report.relationships.durationMs) },
    rows,
    durationMs: report.durationMs,
    rowsPerSecond: perSecond(rows, report.durationMs),
    peakRssMb: peakRssMb(),
    errorCount: report.errorCount,
    errors: report.errors.slice(0, SUMMARY_ERRORS),
  };
}

function progressPrinter(quiet: boolean): (p: ImportProgress) => void {
  let next = PROGRESS_EVERY;
  return (p) => {
    if (quiet || (p.totalReceived < next && !p.sectionDone)) return;
    while (next <= p.totalReceived) next += PROGRESS_EVERY;
    const rate = perSecond(p.totalReceived, p.elapsedMs) ?? 0;
    process.stderr.write(
      `import ${p.section}${p.sectionDone ? ' done' : ''}: ${p.received} received, ${p.written} written, ${p.rejected} rejected` +
        ` | ${(p.elapsedMs / 1000).toFixed(1)}s, ${rate} rows/s, rss ${Math.round(process.memoryUsage().rss / 1048576)} MB\n`,
    );
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`import: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let store: GraphStore | undefined;
  try {
    const config = loadConfig();
    const source = readTopologyFile(args.file);
    // Loaded here so that a store module failing to load (e.g. a missing database driver) is a
    // fatal error with exit code 2, like any other, not a crash.
    const { openTwinStore } = await import('../graph/create-graph-store');
    const opened = await openTwinStore(config);
    store = opened.store;
    const model = opened.model;
    const report = await importTopology(store, model, source, {
      batchSize: args.batchSize,
      maxErrors: args.maxErrors,
      onProgress: progressPrinter(args.quiet),
    });
    process.stdout.write(`${JSON.stringify(summarize(args.file, store.backend, args.batchSize, report), null, 2)}\n`);
    return report.errorCount === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`import failed: ${(err as Error).message ?? String(err)}\n`);
    return 2;
  } finally {
    await store?.close().catch((err: unknown) => process.stderr.write(`import: closing the store failed: ${(err as Error).message}\n`));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`import failed: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
