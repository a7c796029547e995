import http from 'node:http';
import { startTestServer, type TestServer } from '../support/test-server';

/** POST /ingest: NDJSON state reports in, one NDJSON outcome per line out. */

const ingestUrl = (s: TestServer) => s.url.replace(/\/graphql$/, '/ingest');

async function postNdjson(s: TestServer, body: string) {
  const res = await fetch(ingestUrl(s), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  const text = await res.text();
  return { status: res.status, lines: text.trim().split('\n').map((l) => JSON.parse(l)) };
}

/** A chunked upload (no content-length), as a streaming client sends it. */
function postChunked(s: TestServer, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(ingestUrl(s), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const now = () => new Date().toISOString();

describe('POST /ingest', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer({ env: { INGEST_MAX_BYTES: String(256 * 1024) } });
    await s.gql(`mutation { upsertAssets(input: [{ id: "ups-1", kind: "UPS" }, { id: "rack-1", kind: "Rack" }]) { id } }`);
  });
  afterEach(() => s.stop());

  it('answers every line with its outcome and a summary; a malformed line is only that line', async () => {
    const t = now();
    const body = [
      JSON.stringify({ assetId: 'ups-1', observedAt: t, values: { loadKw: 100 }, eventId: 'e1' }),
      '{"assetId": "ups-1", "observedAt": ', // malformed
      '',
      JSON.stringify({ assetId: 'ups-1', observedAt: t, values: { loadKw: 100 }, eventId: 'e1' }),
      JSON.stringify({ assetId: 'nope', observedAt: t, values: { loadKw: 1 } }),
      JSON.stringify({ assetId: 'rack-1', observedAt: t, values: { powerKw: 3.5 } }),
    ].join('\n');
    const { status, lines } = await postNdjson(s, body);
    expect(status).toBe(200);
    expect(lines.slice(0, -1).map((l) => [l.line, l.outcome])).toEqual([
      [1, 'ACCEPTED'], [2, 'REJECTED'], [4, 'DUPLICATE'], [5, 'REJECTED'], [6, 'ACCEPTED'],
    ]);
    expect(lines[1].reason).toMatch(/malformed JSON/);
    expect(lines.at(-1)).toEqual({ summary: { accepted: 2, duplicate: 1, stale: 0, rejected: 2, lines: 6 } });
    const q = await s.gql(`{ a: asset(id: "ups-1") { state } b: asset(id: "rack-1") { state } }`);
    expect(q.data).toEqual({ a: { state: { loadKw: 100 } }, b: { state: { powerKw: 3.5 } } });
    const rejected = await s.gql(`{ rejectedReports { nodes { reason record } } }`);
    expect(rejected.data.rejectedReports.nodes.map((n: any) => n.reason)).toEqual([
      expect.stringMatching(/unknown asset "nope"/),
      expect.stringMatching(/malformed JSON/),
    ]);
  });

  it('streams thousands of lines in chunks, in order', async () => {
    const start = Date.now() - 3_600_000;
    const lines = Array.from({ length: 2400 }, (_, i) =>
      JSON.stringify({ assetId: i % 2 ? 'ups-1' : 'rack-1', observedAt: new Date(start + i * 100).toISOString(), values: i % 2 ? { loadKw: i } : { powerKw: i % 200 } }),
    );
    const res = await postChunked(s, [lines.slice(0, 1300).join('\n') + '\n', lines.slice(1300).join('\n')]);
    const out = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.at(-1).summary).toEqual({ accepted: 2400, duplicate: 0, stale: 0, rejected: 0, lines: 2400 });
    expect(out.slice(0, -1).map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
    const q = await s.gql(`{ a: asset(id: "ups-1") { state version } }`);
    expect(q.data.a).toEqual({ state: { loadKw: 2399 }, version: 1201 });
  });

  it('refuses a body over INGEST_MAX_BYTES with 413, with or without content-length', async () => {
    const line = JSON.stringify({ assetId: 'ups-1', observedAt: now(), values: { loadKw: 1 } });
    const big = Array.from({ length: Math.ceil((300 * 1024) / line.length) }, () => line).join('\n');
    const withLength = await fetch(ingestUrl(s), { method: 'POST', body: big });
    expect(withLength.status).toBe(413);
    expect(((await withLength.json()) as { error: string }).error).toMatch(/INGEST_MAX_BYTES/);
    const chunked = await postChunked(s, [big.slice(0, 200 * 1024), big.slice(200 * 1024)]);
    expect([413, 200]).toContain(chunked.status);
    expect(chunked.body).toMatch(/INGEST_MAX_BYTES/);
  });

  it('rejects an overlong line without buffering it, and goes on', async () => {
    const long = JSON.stringify({ assetId: 'ups-1', observedAt: now(), values: { note: 'x'.repeat(70 * 1024) } });
    const ok = JSON.stringify({ assetId: 'ups-1', observedAt: now(), values: { loadKw: 5 } });
    const { lines } = await postNdjson(s, `${long}\n${ok}\n`);
    expect(lines[0]).toMatchObject({ line: 1, outcome: 'REJECTED', reason: expect.stringMatching(/longer than/) });
    expect(lines[1]).toMatchObject({ line: 2, outcome: 'ACCEPTED' });
  });
});
