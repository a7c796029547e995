/**
 * `npm run demo:history`: a day of observed history for the demo twin, sent to a running API
 * (`npm start`) through `POST /ingest`, so that LOAD can be compared with what was "observed"
 * and CALIBRATE has status history to estimate from. Every 5 minutes over the last 24 hours:
 * - servers: `powerKw` around their `loadKw` property, with a daily cycle and noise;
 * - PDUs, UPSs, utility feeds: `loadKw` as a real chain would carry it: a PDU pair splits its
 *   racks' draw evenly, plus 4% distribution loss; a UPS adds 6% conversion loss; a feed carries
 *   its UPS and its chiller (60 kW), while the standby generator carries nothing;
 * - statuses: UP, with an outage of pdu-r2-b (03:10 to 03:40), two of srv-r1-01-01, and ups-b in
 *   MAINTENANCE from 13:00 to 14:00.
 * Deterministic for a given end time. API_URL (default http://127.0.0.1:4000) and, with auth on,
 * TWIN_TOKEN (an operator key or token) say where to send it.
 */
import { DEMO_ROWS, demoTwin } from './demo-twin';

const STEP_MINUTES = 5;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface StateRecord {
  assetId: string;
  observedAt: string;
  values: { [metric: string]: number | string };
}

/** Small deterministic noise in [-1, 1) from a key (no global random state). */
function noise(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) / 2 ** 32) * 2 - 1;
}

/** Outages, as [asset, from hour, to hour] of the day, and the status during them. */
const EVENTS: [string, number, number, string][] = [
  ['pdu-r2-b', 3 + 10 / 60, 3 + 40 / 60, 'DOWN'],
  ['srv-r1-01-01', 8, 9.5, 'DOWN'],
  ['srv-r1-01-01', 17, 17.25, 'DOWN'],
  ['ups-b', 13, 14, 'MAINTENANCE'],
];

/** The records of the day ending at `end` (ms), oldest first. */
export function demoHistoryRecords(end: number): StateRecord[] {
  const twin = demoTwin();
  const servers = twin.assets.filter((a) => a.kind === 'Server');
  const start = end - DAY;
  const out: StateRecord[] = [];
  const statusOf = (id: string, at: number) => EVENTS.find(([asset, from, to]) => asset === id && at >= start + from * HOUR && at < start + to * HOUR)?.[3] ?? 'UP';
  for (let at = start; at < end; at += STEP_MINUTES * MINUTE) {
    const observedAt = new Date(at).toISOString();
    const daily = 0.85 + 0.25 * (0.5 + 0.5 * Math.sin((2 * Math.PI * (at - start - 8 * HOUR)) / DAY));
    const rowDraw = new Map<number, number>();
    for (const server of servers) {
      const down = statusOf(server.id, at) === 'DOWN';
      const power = down ? 0 : Number(server.properties!.loadKw) * daily * (1 + 0.03 * noise(`${server.id}${at}`));
      const row = Number(/^srv-r(\d+)-/.exec(server.id)![1]);
      rowDraw.set(row, (rowDraw.get(row) ?? 0) + power);
      out.push({ assetId: server.id, observedAt, values: { powerKw: round(power), status: statusOf(server.id, at) } });
    }
    const upsLoad = { a: 0, b: 0 };
    for (let row = 1; row <= DEMO_ROWS; row++) {
      const draw = rowDraw.get(row)! * 1.04;
      const up = (['a', 'b'] as const).filter((side) => statusOf(`pdu-r${row}-${side}`, at) !== 'DOWN');
      for (const side of ['a', 'b'] as const) {
        const id = `pdu-r${row}-${side}`;
        const load = up.includes(side) ? (draw / up.length) * (1 + 0.01 * noise(`${id}${at}`)) : 0;
        upsLoad[side] += load;
        out.push({ assetId: id, observedAt, values: { loadKw: round(load), status: statusOf(id, at) } });
      }
    }
    for (const side of ['a', 'b'] as const) {
      const ups = upsLoad[side] * 1.06;
      out.push({ assetId: `ups-${side}`, observedAt, values: { loadKw: round(ups), status: statusOf(`ups-${side}`, at) } });
      out.push({ assetId: `feed-${side}`, observedAt, values: { loadKw: round(ups + 60), status: 'UP' } });
      out.push({ assetId: `gen-${side}`, observedAt, values: { loadKw: 0, status: 'UP' } });
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const api = (process.env.API_URL ?? 'http://127.0.0.1:4000').replace(/\/$/, '');
  const end = Math.floor(Date.now() / (STEP_MINUTES * MINUTE)) * STEP_MINUTES * MINUTE;
  const records = demoHistoryRecords(end);
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (process.env.TWIN_TOKEN) headers.authorization = `Bearer ${process.env.TWIN_TOKEN}`;
  const totals = { accepted: 0, duplicate: 0, stale: 0, rejected: 0 };
  for (let i = 0; i < records.length; i += 20_000) {
    const res = await fetch(`${api}/ingest`, { method: 'POST', headers, body: records.slice(i, i + 20_000).map((r) => JSON.stringify(r)).join('\n') });
    if (!res.ok) throw new Error(`POST ${api}/ingest answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const lines = (await res.text()).trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]).summary as typeof totals;
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += summary[key];
  }
  const from = new Date(end - DAY).toISOString();
  process.stdout.write(
    `sent ${records.length} state reports (servers, PDUs, UPSs, feeds, generators) from ${from} to ${new Date(end).toISOString()}: ` +
      `${totals.accepted} accepted, ${totals.duplicate} duplicate, ${totals.stale} stale, ${totals.rejected} rejected\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`demo:history failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
