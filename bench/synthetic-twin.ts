import { createWriteStream } from 'node:fs';
import type { AssetWrite, RelationshipWrite } from '../src/graph/types';

/**
 * Seeded, size-scalable data-center-shaped twins for benchmarks. Records are produced lazily by
 * generators (each pass re-derives them from the layout and the seed), so a twin of any size
 * never sits in memory; the same (assetCount, seed) always gives the same records.
 *
 * Shape: a site with a plant room, utility feeds and generators A/B; per hall (10 rows of 10
 * racks) a UPS pair, 4 CRAHs and 2 chillers; per row PDUs A/B; per rack 10 servers, an inlet
 * sensor and 2 services. Redundancy groups: UPS sources (`source`), rack power (`power`), rack
 * cooling (`cooling`), CRAH chilled water (`chilled-water`), service replicas (`replicas`).
 * About 2.5 relationships per asset; the count is padded to exactly `assetCount` with
 * environment sensors.
 */

export const DEFAULT_SEED = 20240611;
const RACKS_PER_ROW = 10;
const ROWS_PER_HALL = 10;
const SERVERS_PER_RACK = 10;
const SERVICES_PER_RACK = 2;
/** Site, plant room, 2 feeds, 2 generators. */
const FIXED_ASSETS = 6;
/** Room, 2 UPS, 4 CRAHs, 2 chillers. */
const ASSETS_PER_HALL = 9;
const ASSETS_PER_ROW = 2;
const ASSETS_PER_RACK = 1 + SERVERS_PER_RACK + 1 + SERVICES_PER_RACK;

/** Small, fast, seedable PRNG (mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticLayout {
  assetCount: number;
  racks: number;
  rows: number;
  halls: number;
  servers: number;
  services: number;
  /** Environment sensors that pad the twin to exactly `assetCount`. */
  fillerSensors: number;
}

const hallsFor = (rows: number) => Math.ceil(rows / ROWS_PER_HALL);
const rowsFor = (racks: number) => Math.ceil(racks / RACKS_PER_ROW);
const assetsFor = (racks: number) => FIXED_ASSETS + ASSETS_PER_HALL * hallsFor(rowsFor(racks)) + ASSETS_PER_ROW * rowsFor(racks) + ASSETS_PER_RACK * racks;

/** How a twin of `assetCount` assets is laid out: as many full racks as fit, then filler sensors. */
export function syntheticLayout(assetCount: number): SyntheticLayout {
  if (!Number.isInteger(assetCount) || assetCount < assetsFor(1)) {
    throw new Error(`a synthetic twin needs a whole number of at least ${assetsFor(1)} assets, got ${assetCount}`);
  }
  let racks = Math.max(1, Math.floor(assetCount / (ASSETS_PER_RACK + 1)));
  while (assetsFor(racks + 1) <= assetCount) racks++;
  while (assetsFor(racks) > assetCount) racks--;
  const rows = rowsFor(racks);
  return {
    assetCount,
    racks,
    rows,
    halls: hallsFor(rows),
    servers: racks * SERVERS_PER_RACK,
    services: racks * SERVICES_PER_RACK,
    fillerSensors: assetCount - assetsFor(racks),
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const hallId = (h: number) => `hall-${pad(h, 3)}`;
const rowKey = (r: number) => `r${pad(r, 4)}`;
const rackId = (rack: number) => `rack-${rowKey(Math.floor(rack / RACKS_PER_ROW) + 1)}-${pad((rack % RACKS_PER_ROW) + 1, 2)}`;
const serverId = (server: number) => `srv-${rackId(Math.floor(server / SERVERS_PER_RACK)).slice(5)}-${pad((server % SERVERS_PER_RACK) + 1, 2)}`;
const serviceId = (service: number) => `svc-${pad(service + 1, 6)}`;
const hallOfRack = (rack: number) => Math.floor(Math.floor(rack / RACKS_PER_ROW) / ROWS_PER_HALL) + 1;
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface SyntheticTwin {
  layout: SyntheticLayout;
  /** Re-iterable: every iteration yields the same assets again. */
  assets: Iterable<AssetWrite>;
  relationships: Iterable<RelationshipWrite>;
}

/** A lazily generated twin of exactly `assetCount` assets; usable directly as a TopologySource. */
export function syntheticTwin(assetCount: number, seed = DEFAULT_SEED): SyntheticTwin {
  const layout = syntheticLayout(assetCount);
  return {
    layout,
    assets: { [Symbol.iterator]: () => syntheticAssets(layout, seed) },
    relationships: { [Symbol.iterator]: () => syntheticRelationships(layout, seed) },
  };
}

function* syntheticAssets(layout: SyntheticLayout, seed: number): Generator<AssetWrite> {
  const random = mulberry32(seed);
  const between = (low: number, high: number, digits = 2) => round(low + random() * (high - low), digits);
  yield { id: 'site-1', kind: 'Site', name: 'Synthetic campus', properties: { city: 'Benchmark', tier: 'III' } };
  yield { id: 'plant-room', kind: 'Room', name: 'Plant room', properties: { purpose: 'plant' } };
  for (const side of ['a', 'b']) {
    yield { id: `feed-${side}`, kind: 'UtilityFeed', name: `Utility feed ${side.toUpperCase()}`, properties: { capacityKw: 50_000, availability: 0.9995 } };
    yield { id: `gen-${side}`, kind: 'Generator', name: `Generator ${side.toUpperCase()}`, properties: { capacityKw: 40_000, mtbfHours: 1500, mttrHours: 24 } };
  }
  for (let h = 1; h <= layout.halls; h++) {
    yield { id: hallId(h), kind: 'Room', name: `Data hall ${h}`, properties: { purpose: 'data hall', floorAreaM2: 1200 } };
    for (const side of ['a', 'b']) {
      yield { id: `ups-h${pad(h, 3)}-${side}`, kind: 'UPS', name: `UPS hall ${h} ${side.toUpperCase()}`, properties: { capacityKw: 1500, batteryMinutes: between(8, 15, 0), mtbfHours: 250_000, mttrHours: 8 } };
    }
    for (let c = 1; c <= 2; c++) {
      yield { id: `chiller-h${pad(h, 3)}-${c}`, kind: 'Chiller', name: `Chiller hall ${h} #${c}`, properties: { capacityKw: 1200, availability: between(0.995, 0.999, 4) } };
    }
    for (let c = 1; c <= 4; c++) {
      yield { id: `crah-h${pad(h, 3)}-${c}`, kind: 'CRAH', name: `CRAH hall ${h} #${c}`, properties: { capacityKw: 400, mtbfHours: 60_000, mttrHours: 12 } };
    }
  }
  for (let r = 1; r <= layout.rows; r++) {
    for (const side of ['a', 'b']) {
      yield { id: `pdu-${rowKey(r)}-${side}`, kind: 'PDU', name: `PDU row ${r} ${side.toUpperCase()}`, properties: { row: r, side: side.toUpperCase(), capacityKw: 150, availability: 0.99995 } };
    }
  }
  for (let rack = 0; rack < layout.racks; rack++) {
    const row = Math.floor(rack / RACKS_PER_ROW) + 1;
    const id = rackId(rack);
    yield { id, kind: 'Rack', name: `Rack ${id.slice(5).toUpperCase()}`, properties: { row, position: (rack % RACKS_PER_ROW) + 1, capacityKw: 12, heightU: 42 } };
    for (let s = 0; s < SERVERS_PER_RACK; s++) {
      const server = rack * SERVERS_PER_RACK + s;
      yield {
        id: serverId(server),
        kind: 'Server',
        name: `Server ${serverId(server).slice(4).toUpperCase()}`,
        properties: { loadKw: between(0.3, 0.8), cpuCores: [16, 32, 48, 64][Math.floor(random() * 4)], rackUnit: s * 4 + 1 },
      };
    }
    yield { id: `sensor-${id}`, kind: 'Sensor', name: `Inlet temperature ${id}`, properties: { metric: 'inletTemperature', unit: 'celsius', warnAbove: 27 } };
    for (let v = 0; v < SERVICES_PER_RACK; v++) {
      const service = rack * SERVICES_PER_RACK + v;
      yield { id: serviceId(service), kind: 'Service', name: `Service ${service + 1}`, properties: { tier: ['web', 'api', 'data', 'batch'][Math.floor(random() * 4)] } };
    }
  }
  for (let f = 0; f < layout.fillerSensors; f++) {
    yield { id: `sensor-env-${pad(f + 1, 6)}`, kind: 'Sensor', name: `Humidity sensor ${f + 1}`, properties: { metric: 'humidity', unit: 'percent' } };
  }
}

function* syntheticRelationships(layout: SyntheticLayout, seed: number): Generator<RelationshipWrite> {
  // Its own stream, so the relationships do not depend on how many numbers the assets drew.
  const random = mulberry32(seed ^ 0x5bd1e995);
  const pick = (n: number) => Math.floor(random() * n);
  yield { from: 'site-1', type: 'CONTAINS', to: 'plant-room' };
  for (const side of ['a', 'b']) {
    yield { from: 'plant-room', type: 'CONTAINS', to: `gen-${side}` };
  }
  for (let h = 1; h <= layout.halls; h++) {
    const hall = pad(h, 3);
    yield { from: 'site-1', type: 'CONTAINS', to: hallId(h) };
    for (const side of ['a', 'b']) {
      for (const source of [`feed-${side}`, `gen-${side}`]) {
        yield { from: source, type: 'FEEDS', to: `ups-h${hall}-${side}`, properties: { redundancyGroup: 'source', minLive: 1 } };
      }
    }
    for (let c = 1; c <= 2; c++) {
      yield { from: c === 1 ? 'feed-a' : 'feed-b', type: 'FEEDS', to: `chiller-h${hall}-${c}` };
      yield { from: 'plant-room', type: 'CONTAINS', to: `chiller-h${hall}-${c}` };
    }
    for (let c = 1; c <= 4; c++) {
      yield { from: hallId(h), type: 'CONTAINS', to: `crah-h${hall}-${c}` };
      for (let k = 1; k <= 2; k++) {
        yield { from: `chiller-h${hall}-${k}`, type: 'COOLS', to: `crah-h${hall}-${c}`, properties: { redundancyGroup: 'chilled-water', minLive: 1 } };
      }
    }
  }
  for (let r = 1; r <= layout.rows; r++) {
    const hall = pad(Math.floor((r - 1) / ROWS_PER_HALL) + 1, 3);
    for (const side of ['a', 'b']) yield { from: `ups-h${hall}-${side}`, type: 'FEEDS', to: `pdu-${rowKey(r)}-${side}` };
  }
  for (let rack = 0; rack < layout.racks; rack++) {
    const row = Math.floor(rack / RACKS_PER_ROW) + 1;
    const hall = hallOfRack(rack);
    const id = rackId(rack);
    yield { from: hallId(hall), type: 'CONTAINS', to: id };
    for (const side of ['a', 'b']) yield { from: `pdu-${rowKey(row)}-${side}`, type: 'FEEDS', to: id, properties: { redundancyGroup: 'power', minLive: 1 } };
    // Racks on even positions sit between CRAHs 1 and 2, odd ones between 3 and 4.
    const crahs = rack % 2 === 0 ? [1, 2] : [3, 4];
    for (const c of crahs) yield { from: `crah-h${pad(hall, 3)}-${c}`, type: 'COOLS', to: id, properties: { redundancyGroup: 'cooling', minLive: 1 } };
    for (let s = 0; s < SERVERS_PER_RACK; s++) {
      const server = rack * SERVERS_PER_RACK + s;
      yield { from: id, type: 'HOSTS', to: serverId(server) };
      // Network links: each server to the next one in the rack (a ring).
      yield { from: serverId(server), type: 'CONNECTS_TO', to: serverId(rack * SERVERS_PER_RACK + ((s + 1) % SERVERS_PER_RACK)), properties: { medium: 'copper', gbps: 25 } };
    }
    yield { from: `sensor-${id}`, type: 'LOCATED_IN', to: id };
    for (let v = 0; v < SERVICES_PER_RACK; v++) {
      const service = rack * SERVICES_PER_RACK + v;
      // One in five services runs on a single server; the others on 2-3 replicas in distinct racks.
      const replicas = random() < 0.2 ? 1 : 2 + pick(2);
      const racks = new Set<number>();
      while (racks.size < Math.min(replicas, layout.racks)) racks.add(pick(layout.racks));
      for (const r of racks) {
        const server = serverId(r * SERVERS_PER_RACK + pick(SERVERS_PER_RACK));
        yield racks.size > 1
          ? { from: serviceId(service), type: 'RUNS_ON', to: server, properties: { redundancyGroup: 'replicas', minLive: racks.size - 1 } }
          : { from: serviceId(service), type: 'RUNS_ON', to: server };
      }
      // Dependencies only on services with a smaller number, so they never form a cycle.
      if (service > 0) {
        const dependencies = new Set<number>();
        const count = 1 + pick(2);
        while (dependencies.size < Math.min(count, service)) dependencies.add(pick(service));
        for (const d of dependencies) yield { from: serviceId(service), type: 'DEPENDS_ON', to: serviceId(d) };
      }
    }
  }
  for (let f = 0; f < layout.fillerSensors; f++) {
    const sensor = `sensor-env-${pad(f + 1, 6)}`;
    yield { from: sensor, type: 'LOCATED_IN', to: hallId((f % layout.halls) + 1) };
    yield { from: sensor, type: 'CONNECTS_TO', to: rackId(f % layout.racks), properties: { medium: 'modbus' } };
  }
}

export type SyntheticFileFormat = 'json' | 'ndjson';

export interface WrittenTwinFile {
  path: string;
  format: SyntheticFileFormat;
  assets: number;
  relationships: number;
  bytes: number;
}

/**
 * Stream a synthetic twin to `path`: `.json` shape `{"assets": [...], "relationships": [...]}`
 * (one record per line) or NDJSON lines `{"asset": ...}` / `{"relationship": ...}`.
 * Writes in chunks and honours back-pressure, so memory stays flat whatever the size.
 */
export async function writeSyntheticTwinFile(
  path: string,
  assetCount: number,
  options: { format: SyntheticFileFormat; seed?: number },
): Promise<WrittenTwinFile> {
  const twin = syntheticTwin(assetCount, options.seed ?? DEFAULT_SEED);
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  let bytes = 0;
  let chunk = '';
  const write = async (text: string) => {
    chunk += text;
    if (chunk.length < 1 << 16) return;
    await flush();
  };
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await Promise.race([new Promise<void>((resolve) => out.once('drain', () => resolve())), failed]);
  };
  let assets = 0;
  let relationships = 0;
  const json = options.format === 'json';
  if (json) await write('{"assets": [\n');
  for (const asset of twin.assets) {
    await write(json ? `${assets > 0 ? ',\n' : ''}${JSON.stringify(asset)}` : `${JSON.stringify({ asset })}\n`);
    assets++;
  }
  if (json) await write('\n],\n"relationships": [\n');
  for (const relationship of twin.relationships) {
    await write(json ? `${relationships > 0 ? ',\n' : ''}${JSON.stringify(relationship)}` : `${JSON.stringify({ relationship })}\n`);
    relationships++;
  }
  if (json) await write('\n]}\n');
  await flush();
  await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
  return { path, format: options.format, assets, relationships, bytes };
}
