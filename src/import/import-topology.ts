import { DomainError } from '../errors';
import type { TopologyStore } from '../graph/ports/topology-store';
import type { AssetWrite, RelationshipWrite, TopologyChanges } from '../graph/types';
import type { ModelIndex } from '../model/twin-model';
import { checkAssetWrite, checkRelationshipWrite } from '../model/validate';

/**
 * Bulk topology import: per-record validation and batched writes through the TopologyStore port.
 *
 * Unlike `upsertAssets` / `relate`, which are atomic per call, an import goes on past bad
 * records: each one becomes an entry of the report and the others are written. Memory stays
 * bounded by one batch whatever the size of the source.
 */

export type ImportSection = 'assets' | 'relationships';

/**
 * Where records come from. Both sides are read once, assets first, so a relationship may name
 * any asset of the same import. An item is the raw record (checked here), or a
 * {@link SourceRecord} when the source knows more about it (its line, or that it is unreadable).
 */
export interface TopologySource {
  assets: AsyncIterable<unknown> | Iterable<unknown>;
  relationships: AsyncIterable<unknown> | Iterable<unknown>;
}

/**
 * A record wrapped by a source: `line` is where it came from (1-based, NDJSON files), `error`
 * says why the source could not read it (a malformed line), in which case it is counted as
 * received and rejected with that message.
 */
export class SourceRecord {
  constructor(
    readonly value: unknown,
    readonly line?: number,
    readonly error?: string,
  ) {}
}

export interface ImportError {
  section: ImportSection;
  /** 0-based position of the record in its section (every record the source yielded counts). */
  index: number;
  /** The asset id, or `from -[TYPE]-> to` for a relationship, when the record has them. */
  id?: string;
  /** Line of the source file, when the source knows it (NDJSON). */
  line?: number;
  message: string;
}

export interface SectionCounts {
  /** Records read from the source, good or bad. */
  received: number;
  /** Records written to the store. */
  written: number;
  /** Records turned into errors. `received = written + rejected` once the section is done. */
  rejected: number;
  /** Time spent on this section, reading included. */
  durationMs: number;
}

export interface ImportReport {
  assets: SectionCounts;
  relationships: SectionCounts;
  /** The first `maxErrors` errors found, sorted by section (assets first) and index. */
  errors: ImportError[];
  /** All errors, including those left out of `errors`. */
  errorCount: number;
  durationMs: number;
}

export interface ImportProgress {
  section: ImportSection;
  /** Counts of the current section so far. */
  received: number;
  written: number;
  rejected: number;
  /** Records received so far over both sections. */
  totalReceived: number;
  elapsedMs: number;
  /** True on the last call for a section. */
  sectionDone: boolean;
}

export interface ImportOptions {
  /** Records per store write (one transaction each). Default 2000. */
  batchSize?: number;
  /** Called after every batch written and once at the end of each section. */
  onProgress?: (progress: ImportProgress) => void;
  /** How many errors the report keeps (all are counted in `errorCount`). Default 1000. */
  maxErrors?: number;
  /** Told what each written batch changed (the API publishes topology events from it). */
  onWritten?: (changes: TopologyChanges) => Promise<void>;
}

export const DEFAULT_IMPORT_BATCH_SIZE = 2000;
export const DEFAULT_IMPORT_MAX_ERRORS = 1000;

interface Pending<T> {
  index: number;
  line?: number;
  record: T;
}

/** Import a topology, assets first, then relationships. Store failures other than a bad record are fatal. */
export async function importTopology(
  store: TopologyStore,
  model: ModelIndex,
  source: TopologySource,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a whole number of at least 1, got ${batchSize}`);
  const maxErrors = options.maxErrors ?? DEFAULT_IMPORT_MAX_ERRORS;
  const started = Date.now();
  const report: ImportReport = {
    assets: { received: 0, written: 0, rejected: 0, durationMs: 0 },
    relationships: { received: 0, written: 0, rejected: 0, durationMs: 0 },
    errors: [],
    errorCount: 0,
    durationMs: 0,
  };

  const section = async <T>(
    name: ImportSection,
    items: AsyncIterable<unknown> | Iterable<unknown>,
    check: (raw: unknown, where: string) => T,
    describe: (raw: unknown) => string | undefined,
    write: (batch: Pending<T>[], reject: Reject) => Promise<number>,
  ): Promise<void> => {
    const counts = report[name];
    const sectionStart = Date.now();
    const reject: Reject = (index, message, raw, line) => {
      counts.rejected++;
      report.errorCount++;
      if (report.errors.length < maxErrors) {
        const error: ImportError = { section: name, index, message };
        const id = describe(raw);
        if (id !== undefined) error.id = id;
        if (line !== undefined) error.line = line;
        report.errors.push(error);
      }
    };
    const progress = (sectionDone: boolean) =>
      options.onProgress?.({
        section: name,
        received: counts.received,
        written: counts.written,
        rejected: counts.rejected,
        totalReceived: report.assets.received + report.relationships.received,
        elapsedMs: Date.now() - started,
        sectionDone,
      });
    let batch: Pending<T>[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      counts.written += await write(current, reject);
      progress(false);
    };

    for await (const item of items) {
      const index = counts.received++;
      let raw = item;
      let line: number | undefined;
      if (item instanceof SourceRecord) {
        raw = item.value;
        line = item.line;
        if (item.error !== undefined) {
          reject(index, item.error, raw, line);
          continue;
        }
      }
      let record: T;
      try {
        record = check(raw, `${name}[${index}]`);
      } catch (err) {
        reject(index, (err as Error).message, raw, line);
        continue;
      }
      batch.push({ index, line, record });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    counts.durationMs = Date.now() - sectionStart;
    progress(true);
  };

  await section(
    'assets',
    source.assets,
    (raw, where) => checkAssetWrite(model, raw as AssetWrite, where),
    describeAsset,
    (batch, reject) =>
      writeBatch('assets', batch, reject, async (records) => {
        const { changes } = await store.upsertAssets(records);
        await options.onWritten?.(changes);
      }),
  );

  await section(
    'relationships',
    source.relationships,
    (raw, where) => checkRelationshipWrite(model, raw as RelationshipWrite, where),
    describeRelationship,
    async (batch, reject) => {
      const existing = await store.existingIds([...new Set(batch.flatMap((p) => [p.record.from, p.record.to]))]);
      const known = batch.filter((p) => {
        for (const end of ['from', 'to'] as const) {
          if (!existing.has(p.record[end])) {
            reject(p.index, `relationships[${p.index}].${end}: asset "${p.record[end]}" does not exist`, p.record, p.line);
            return false;
          }
        }
        return true;
      });
      return writeBatch('relationships', known, reject, async (records) => {
        const { changes } = await store.relate(records);
        await options.onWritten?.(changes);
      });
    },
  );

  // Validation errors are found at once, endpoint errors when their batch is written: list them in record order.
  const sectionOrder = (e: ImportError) => (e.section === 'assets' ? 0 : 1);
  report.errors.sort((a, b) => sectionOrder(a) - sectionOrder(b) || a.index - b.index);
  report.durationMs = Date.now() - started;
  return report;
}

type Reject = (index: number, message: string, raw: unknown, line?: number) => void;

/**
 * Write a batch in one store call. When the store refuses it for a reason tied to its records
 * (a DomainError, e.g. an endpoint deleted meanwhile or a value the database rejects), write the
 * records one by one so that only the bad ones become errors. Any other failure is fatal.
 */
async function writeBatch<T>(
  section: ImportSection,
  batch: Pending<T>[],
  reject: Reject,
  write: (records: T[]) => Promise<void>,
): Promise<number> {
  if (batch.length === 0) return 0;
  try {
    await write(batch.map((p) => p.record));
    return batch.length;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (batch.length === 1) {
      const [{ index, record, line }] = batch;
      reject(index, `${section}[${index}]: ${err.message}`, record, line);
      return 0;
    }
  }
  let written = 0;
  for (const pending of batch) written += await writeBatch(section, [pending], reject, write);
  return written;
}

const isObject = (raw: unknown): raw is Record<string, unknown> => typeof raw === 'object' && raw !== null && !Array.isArray(raw);

function describeAsset(raw: unknown): string | undefined {
  return isObject(raw) && typeof raw.id === 'string' ? raw.id : undefined;
}

function describeRelationship(raw: unknown): string | undefined {
  if (!isObject(raw)) return undefined;
  const { from, to, type } = raw;
  return typeof from === 'string' && typeof to === 'string' ? `${from} -[${typeof type === 'string' ? type : '?'}]-> ${to}` : undefined;
}
