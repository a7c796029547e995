import type { Request, Response } from 'express';
import type { AuditTrail } from '../audit/audit-trail';
import { ANONYMOUS } from '../auth/principal';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { ndjsonLines } from './ndjson-lines';
import { INGEST_CHUNK_RECORDS, type ReportResult, type StateIngestor } from './state-ingestor';

/** What the handler uses. */
export interface IngestDeps {
  ingestor: Pick<StateIngestor, 'ingest'>;
  config: Pick<Config, 'ingest'>;
  logger: Logger;
  audit: Pick<AuditTrail, 'record'>;
}

/** Longest NDJSON line read; longer ones are REJECTED without being buffered. */
const MAX_LINE_BYTES = 64 * 1024;

class BodyTooLarge extends Error {}

/**
 * `POST /ingest`: NDJSON state reports (one `{assetId, observedAt, values, eventId?}` per line),
 * read as a stream and written in chunks. Answers NDJSON: one `{line, assetId, outcome, reason}`
 * per record as its chunk is written, then `{summary: {...}}`. A malformed line is REJECTED, not
 * fatal. A body over INGEST_MAX_BYTES gets 413 (or, once results have started streaming, an
 * `{error}` line and the end of the response). Each call is one audit entry (`ingest`, the
 * accepted asset ids, and the error code when it failed); refusals before the handler (401/403)
 * are recorded by `auditRefusals` (src/audit/refusals.ts).
 */
export function ingestHandler(services: IngestDeps) {
  const maxBytes = services.config.ingest.maxBodyBytes;
  return async (req: Request, res: Response): Promise<void> => {
    const principal = res.locals.principal ?? ANONYMOUS;
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      res.status(413).json({ error: `body larger than ${maxBytes} bytes (INGEST_MAX_BYTES)` });
      await services.audit.record(principal, 'ingest', [], 'PAYLOAD_TOO_LARGE');
      return;
    }
    const totals = { accepted: 0, duplicate: 0, stale: 0, rejected: 0, lines: 0 };
    const acceptedIds = new Set<string>();
    const write = async (obj: unknown) => {
      if (!res.headersSent) res.status(200).type('application/x-ndjson');
      if (!res.write(`${JSON.stringify(obj)}\n`)) await new Promise((resolve) => res.once('drain', resolve));
    };
    let batch: { line: number; record: unknown; error?: string }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const unparsed = new Map<number, string>();
      batch.forEach((b, i) => b.error !== undefined && unparsed.set(i, b.error));
      const summary = await services.ingestor.ingest(batch.map((b) => b.record), { indexes: batch.map((b) => b.line), unparsed });
      batch = [];
      for (const key of ['accepted', 'duplicate', 'stale', 'rejected'] as const) totals[key] += summary[key];
      for (const r of summary.results) {
        if (r.outcome === 'ACCEPTED' && r.assetId) acceptedIds.add(r.assetId);
        await write(lineResult(r));
      }
    };
    try {
      for await (const item of ndjsonLines(limitBytes(req, maxBytes), MAX_LINE_BYTES)) {
        totals.lines = item.line;
        batch.push('error' in item ? { line: item.line, record: null, error: item.error } : parseLine(item.line, item.text));
        if (batch.length >= INGEST_CHUNK_RECORDS) await flush();
      }
      await flush();
      await write({ summary: totals });
      res.end();
      await services.audit.record(principal, 'ingest', acceptedIds);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLarge;
      if (!tooLarge) services.logger.error({ err }, 'ingest failed');
      const error = tooLarge ? err.message : 'ingest failed; lines after the last result were not processed';
      if (res.headersSent) res.end(`${JSON.stringify({ error })}\n`);
      else res.status(tooLarge ? 413 : 500).set('connection', 'close').json({ error });
      // The chunks written before the failure stay written: their ids are recorded with the error.
      await services.audit.record(principal, 'ingest', acceptedIds, tooLarge ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL_SERVER_ERROR');
    }
  };
}

function parseLine(line: number, text: string): { line: number; record: unknown; error?: string } {
  try {
    return { line, record: JSON.parse(text) as unknown };
  } catch (err) {
    return { line, record: text, error: `malformed JSON: ${(err as Error).message}` };
  }
}

const lineResult = (r: ReportResult) => ({ line: r.index, assetId: r.assetId, outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) });

/** The request body, failing once more than `maxBytes` have arrived (chunked bodies have no length). */
async function* limitBytes(req: Request, maxBytes: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > maxBytes) {
      // Stop reading; the response closes the connection, so the rest is never buffered.
      throw new BodyTooLarge(`body larger than ${maxBytes} bytes (INGEST_MAX_BYTES)`);
    }
    yield chunk;
  }
}
