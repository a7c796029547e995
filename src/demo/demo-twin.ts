import type { TopologyStore } from '../graph/ports/topology-store';
import type { AssetWrite, Properties, RelationshipWrite } from '../graph/types';
import { importTopology, type ImportReport } from '../import/import-topology';
import type { ModelIndex } from '../model/twin-model';

/**
 * The demo twin served by `npm start` on an empty store: a small data center, the same on
 * every call, built from the built-in model's kinds and relationship types.
 *
 * - Site `dc1` contains rooms `hall-1`, `hall-2` and `plant-room`.
 * - Power: utility feeds `feed-a`/`feed-b` and generators `gen-a`/`gen-b`; `ups-a` is fed by
 *   feed-a or gen-a (redundancy group `source`, minLive 1), `ups-b` by feed-b or gen-b.
 *   Each of the 4 rows has PDUs `pdu-rN-a` (from ups-a) and `pdu-rN-b` (from ups-b), and every
 *   rack of the row is fed by both (group `power`, minLive 1).
 * - 20 racks `rack-r1-01` … `rack-r4-05` (rows 1-2 in hall-1, rows 3-4 in hall-2), each
 *   hosting 10 servers `srv-rN-PP-SS` and holding one inlet temperature sensor.
 * - Cooling: chillers `chiller-1`/`chiller-2` in the plant room, powered by feed-a/feed-b; CRAH
 *   units `crah-1`…`crah-4` (two per hall) cooled by both chillers (group `chilled-water`), and
 *   each rack cooled by the two CRAHs of its hall (group `cooling`).
 * - 12 services running on servers, some replicated (group `replicas`), some not
 *   (`svc-db-primary` runs on one server of row 2), with DEPENDS_ON between them.
 *
 * Failing `pdu-r1-a` leaves the racks of row 1 AT_RISK and nothing DOWN; failing both PDUs of
 * row 2 takes down its 5 racks, their 50 servers, `svc-db-primary` and what needs it, and puts
 * the replicated services with a replica in row 2 AT_RISK.
 */
export interface DemoTwin {
  assets: AssetWrite[];
  relationships: RelationshipWrite[];
}

export const DEMO_ROWS = 4;
export const DEMO_RACKS_PER_ROW = 5;
export const DEMO_SERVERS_PER_RACK = 10;

const pad = (n: number) => String(n).padStart(2, '0');
export const demoRackId = (row: number, position: number) => `rack-r${row}-${pad(position)}`;
export const demoServerId = (row: number, position: number, slot: number) => `srv-r${row}-${pad(position)}-${pad(slot)}`;
const hallOfRow = (row: number) => (row <= 2 ? 1 : 2);

const SERVER_MODELS = [
  { model: 'Dell PowerEdge R760', cpuCores: 64, memoryGb: 512 },
  { model: 'HPE ProLiant DL380 Gen11', cpuCores: 48, memoryGb: 384 },
  { model: 'Lenovo ThinkSystem SR650 V3', cpuCores: 32, memoryGb: 256 },
];

interface ServiceSpec {
  id: string;
  name: string;
  tier: string;
  /** Servers it runs on: more than one form a `replicas` group needing `minLive`. */
  servers: [row: number, position: number, slot: number][];
  minLive?: number;
  dependsOn?: string[];
}

const SERVICES: ServiceSpec[] = [
  { id: 'svc-auth', name: 'Authentication', tier: 'platform', servers: [[1, 5, 1], [3, 5, 1], [4, 5, 1]], minLive: 2 },
  { id: 'svc-cache', name: 'Session cache', tier: 'platform', servers: [[1, 4, 1], [2, 4, 1]], minLive: 1 },
  { id: 'svc-db-primary', name: 'Orders database (primary)', tier: 'data', servers: [[2, 3, 1]] },
  { id: 'svc-db-replica', name: 'Orders database (read replica)', tier: 'data', servers: [[3, 3, 1]] },
  { id: 'svc-api', name: 'Public API', tier: 'application', servers: [[2, 2, 1], [3, 2, 1], [4, 2, 1]], minLive: 2, dependsOn: ['svc-auth', 'svc-cache'] },
  { id: 'svc-web', name: 'Web front end', tier: 'application', servers: [[1, 1, 1], [2, 1, 1], [3, 1, 1]], minLive: 2, dependsOn: ['svc-api', 'svc-auth'] },
  { id: 'svc-payments', name: 'Payments', tier: 'application', servers: [[3, 4, 1], [4, 4, 1]], minLive: 1, dependsOn: ['svc-auth'] },
  { id: 'svc-search', name: 'Product search', tier: 'application', servers: [[2, 5, 1], [4, 1, 1]], minLive: 1, dependsOn: ['svc-cache'] },
  { id: 'svc-checkout', name: 'Checkout', tier: 'application', servers: [[1, 3, 1], [4, 3, 1]], minLive: 1, dependsOn: ['svc-web', 'svc-payments', 'svc-db-primary'] },
  { id: 'svc-reporting', name: 'Sales reporting', tier: 'analytics', servers: [[3, 3, 2]], dependsOn: ['svc-db-replica'] },
  { id: 'svc-storefront', name: 'Storefront', tier: 'application', servers: [[1, 2, 1], [3, 2, 2], [4, 2, 2]], minLive: 2, dependsOn: ['svc-web', 'svc-search', 'svc-checkout'] },
  { id: 'svc-monitoring', name: 'Monitoring', tier: 'platform', servers: [[4, 5, 10]] },
];

/** The demo data center; deterministic. */
export function demoTwin(): DemoTwin {
  const assets: AssetWrite[] = [];
  const relationships: RelationshipWrite[] = [];
  const asset = (id: string, kind: string, name: string, properties: Properties = {}) => assets.push({ id, kind, name, properties });
  const rel = (from: string, type: string, to: string, properties?: Properties) =>
    relationships.push(properties ? { from, type, to, properties } : { from, type, to });

  // Site and rooms.
  asset('dc1', 'Site', 'DC1 Frankfurt', { city: 'Frankfurt', country: 'DE', tier: 'III' });
  asset('hall-1', 'Room', 'Data hall 1', { purpose: 'data hall', floorAreaM2: 400 });
  asset('hall-2', 'Room', 'Data hall 2', { purpose: 'data hall', floorAreaM2: 400 });
  asset('plant-room', 'Room', 'Plant room', { purpose: 'plant', floorAreaM2: 250 });
  for (const room of ['hall-1', 'hall-2', 'plant-room']) rel('dc1', 'CONTAINS', room);

  // Power chain: sources, UPS, PDUs.
  for (const side of ['a', 'b']) {
    const SIDE = side.toUpperCase();
    asset(`feed-${side}`, 'UtilityFeed', `Utility feed ${SIDE}`, { capacityKw: 1000, voltageKv: 20, availability: 0.9995 });
    asset(`gen-${side}`, 'Generator', `Generator ${SIDE}`, { capacityKw: 800, fuel: 'diesel', runtimeHours: 48, mtbfHours: 1500, mttrHours: 24 });
    asset(`ups-${side}`, 'UPS', `UPS ${SIDE}`, { capacityKw: 300, batteryMinutes: 10, mtbfHours: 250000, mttrHours: 8 });
    rel('plant-room', 'CONTAINS', `gen-${side}`);
    rel('plant-room', 'CONTAINS', `ups-${side}`);
    rel(`feed-${side}`, 'FEEDS', `ups-${side}`, { redundancyGroup: 'source', minLive: 1 });
    rel(`gen-${side}`, 'FEEDS', `ups-${side}`, { redundancyGroup: 'source', minLive: 1 });
  }

  // Cooling plant: chillers powered by the feeds, two CRAHs per hall cooled by both chillers.
  for (const n of [1, 2]) {
    const side = n === 1 ? 'a' : 'b';
    asset(`chiller-${n}`, 'Chiller', `Chiller ${n}`, { capacityKw: 400, refrigerant: 'R-1234ze', availability: 0.998 });
    rel('plant-room', 'CONTAINS', `chiller-${n}`);
    rel(`feed-${side}`, 'FEEDS', `chiller-${n}`);
  }
  for (let n = 1; n <= 4; n++) {
    const hall = `hall-${n <= 2 ? 1 : 2}`;
    asset(`crah-${n}`, 'CRAH', `CRAH ${n}`, { capacityKw: 150, airflowM3h: 30000, mtbfHours: 60000, mttrHours: 12 });
    rel(hall, 'CONTAINS', `crah-${n}`);
    for (const chiller of ['chiller-1', 'chiller-2']) rel(chiller, 'COOLS', `crah-${n}`, { redundancyGroup: 'chilled-water', minLive: 1 });
  }

  // Rows: PDUs, racks, servers, sensors.
  for (let row = 1; row <= DEMO_ROWS; row++) {
    const hall = hallOfRow(row);
    for (const side of ['a', 'b']) {
      asset(`pdu-r${row}-${side}`, 'PDU', `PDU row ${row} side ${side.toUpperCase()}`, { row, side: side.toUpperCase(), capacityKw: 60, availability: 0.99995 });
      rel(`ups-${side}`, 'FEEDS', `pdu-r${row}-${side}`);
    }
    for (let position = 1; position <= DEMO_RACKS_PER_ROW; position++) {
      const rack = demoRackId(row, position);
      asset(rack, 'Rack', `Rack R${row}-${pad(position)}`, { row, position, hall: `hall-${hall}`, capacityKw: 12, heightU: 42 });
      rel(`hall-${hall}`, 'CONTAINS', rack);
      for (const side of ['a', 'b']) rel(`pdu-r${row}-${side}`, 'FEEDS', rack, { redundancyGroup: 'power', minLive: 1 });
      const crahs = hall === 1 ? ['crah-1', 'crah-2'] : ['crah-3', 'crah-4'];
      for (const crah of crahs) rel(crah, 'COOLS', rack, { redundancyGroup: 'cooling', minLive: 1 });

      for (let slot = 1; slot <= DEMO_SERVERS_PER_RACK; slot++) {
        const server = demoServerId(row, position, slot);
        const spec = SERVER_MODELS[(row + position + slot) % SERVER_MODELS.length];
        // 0.35-0.60 kW, spread deterministically over the slots.
        const loadKw = Math.round((0.35 + (((row * 7 + position * 5 + slot * 3) % 26) / 100)) * 100) / 100;
        asset(server, 'Server', `Server R${row}-${pad(position)} U${pad(slot * 4 - 3)}`, { ...spec, loadKw, rackUnit: slot * 4 - 3 });
        rel(rack, 'HOSTS', server);
      }

      const sensor = `sensor-${rack}`;
      asset(sensor, 'Sensor', `Inlet temperature ${rack}`, { metric: 'inletTemperature', unit: 'celsius', warnAbove: 27, alarmAbove: 32 });
      rel(sensor, 'LOCATED_IN', rack);
    }
  }

  // Services.
  for (const service of SERVICES) {
    asset(service.id, 'Service', service.name, { tier: service.tier, replicas: service.servers.length });
    const redundant = service.servers.length > 1;
    for (const [row, position, slot] of service.servers) {
      rel(service.id, 'RUNS_ON', demoServerId(row, position, slot), redundant ? { redundancyGroup: 'replicas', minLive: service.minLive ?? 1 } : undefined);
    }
    for (const dependency of service.dependsOn ?? []) rel(service.id, 'DEPENDS_ON', dependency);
  }

  return { assets, relationships };
}

/** Import the demo twin into `store` (through the ordinary bulk import, so it is validated). */
export function seedDemoTwin(store: TopologyStore, model: ModelIndex): Promise<ImportReport> {
  return importTopology(store, model, demoTwin());
}
