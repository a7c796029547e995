import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/Pick';
import { streamArray } from 'stream-json/streamers/StreamArray';
import { badInput, notFound } from '../errors';
import { SourceRecord, type ImportSection, type TopologySource } from './import-topology';

/**
 * Topology files, read as streams so that memory does not grow with the file:
 *
 * - `.json`: one object `{ "assets": [...], "relationships": [...] }`. Each section is read by
 *   its own pass over the file (stream-json picks the array and streams its items), so nothing
 *   but the current item is held. Malformed JSON is fatal: past it nothing can be trusted.
 * - `.ndjson` (or `.jsonl`): one record per line, `{"asset": {...}}` or `{"relationship": {...}}`,
 *   in any order; read twice as well. A line that is not JSON, or not one of those two shapes,
 *   is a per-record error of the `assets` section (reported once, with its line number); blank
 *   lines are skipped.
 */
export type TopologyFileFormat = 'json' | 'ndjson';

const FORMATS: Record<string, TopologyFileFormat> = { '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

/** The format a file name implies; throws BAD_USER_INPUT for any other extension. */
export function topologyFileFormat(file: string): TopologyFileFormat {
  const ext = path.extname(file).toLowerCase();
  const format = FORMATS[ext];
  if (!format) {
    throw badInput(`${file}: unsupported topology file type "${ext || '(no extension)'}"; expected .json ({"assets": [...], "relationships": [...]}) or .ndjson (one {"asset": ...} or {"relationship": ...} per line)`);
  }
  return format;
}

/**
 * A TopologySource reading `file`. Checks at once that the file exists and has a known
 * extension (NOT_FOUND / BAD_USER_INPUT); the contents are read lazily, once per section.
 */
export function readTopologyFile(file: string): TopologySource {
  const format = topologyFileFormat(file);
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    // reported below
  }
  if (!isFile) throw notFound(`${file}: topology file not found`);
  const section = (name: ImportSection): AsyncIterable<unknown> => ({
    [Symbol.asyncIterator]: () => (format === 'json' ? readJsonSection(file, name) : readNdjsonSection(file, name)),
  });
  return { assets: section('assets'), relationships: section('relationships') };
}

/** Marks the end of a picked section: always the last item StreamArray emits for it. */
const SECTION_END = Symbol('end of section');

/**
 * Forwards stream-json tokens and, when the picked array closes, slips one more item into it:
 * SECTION_END. The reader stops there instead of parsing the rest of the file. Being an item of
 * the stream itself, it arrives after every real item whatever the buffering.
 */
class MarkSectionEnd extends Transform {
  private depth = 0;

  constructor() {
    super({ objectMode: true });
  }

  override _transform(token: { name: string; value?: unknown }, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (token.name === 'startObject' || token.name === 'startArray') this.depth++;
    else if (token.name === 'endObject' || token.name === 'endArray') {
      this.depth--;
      // The Assembler inside StreamArray stores a packed string token's value as it is.
      if (this.depth === 0 && token.name === 'endArray') this.push({ name: 'stringValue', value: SECTION_END });
    }
    this.push(token);
    callback();
  }
}

async function* readJsonSection(file: string, key: ImportSection): AsyncGenerator<unknown> {
  const items = pipeline(
    createReadStream(file),
    parser({ streamValues: false }),
    pick({ filter: key, once: true }),
    new MarkSectionEnd(),
    streamArray(),
    () => {
      // Errors reach the loop below through the destroyed last stream; a premature close
      // after the early stop is expected.
    },
  );
  try {
    for await (const item of items as AsyncIterable<{ key: number; value: unknown }>) {
      // Everything of the section has been read: skip the rest of the file.
      if (item.value === SECTION_END) break;
      yield item.value;
    }
  } catch (err) {
    throw badInput(`${file}: cannot read "${key}": ${(err as Error).message}`);
  } finally {
    items.destroy();
  }
}

async function* readNdjsonSection(file: string, section: ImportSection): AsyncGenerator<SourceRecord> {
  const wanted = section === 'assets' ? 'asset' : 'relationship';
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const text = lineNo === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line; // byte-order mark
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        if (section === 'assets') yield new SourceRecord(undefined, lineNo, `line ${lineNo}: malformed JSON (${(err as Error).message})`);
        continue;
      }
      const shape = ndjsonShape(parsed);
      if (shape === wanted) yield new SourceRecord((parsed as Record<string, unknown>)[shape], lineNo);
      else if (shape === null && section === 'assets') {
        yield new SourceRecord(parsed, lineNo, `line ${lineNo}: expected {"asset": {...}} or {"relationship": {...}}`);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

function ndjsonShape(value: unknown): 'asset' | 'relationship' | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1) return null;
  return keys[0] === 'asset' || keys[0] === 'relationship' ? keys[0] : null;
}
