import { demoTwin } from '../../src/demo/demo-twin';
import type { DependencyEdge } from '../../src/graph/types';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { checkAssetWrite, checkRelationshipWrite } from '../../src/model/validate';
import { computeImpact } from '../../src/sim/impact';

const model = indexModel(loadTwinModel());

/** The demo's dependency edges, read the way the stores read them (FORWARD / REVERSE types). */
function dependencyEdges(): DependencyEdge[] {
  return demoTwin().relationships.flatMap((r): DependencyEdge[] => {
    const relationship = { from: r.from, to: r.to, type: r.type, properties: r.properties ?? {} };
    if (model.forwardTypes.includes(r.type)) return [{ supplier: r.from, consumer: r.to, relationship }];
    if (model.reverseTypes.includes(r.type)) return [{ supplier: r.to, consumer: r.from, relationship }];
    return [];
  });
}

const ids = (entries: { id: string }[]) => entries.map((e) => e.id).sort();

describe('demoTwin', () => {
  const twin = demoTwin();

  it('is the same on every call', () => {
    expect(demoTwin()).toEqual(twin);
  });

  it('has the data center described in its documentation', () => {
    const byKind: Record<string, number> = {};
    for (const a of twin.assets) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    expect(byKind).toEqual({
      Site: 1,
      Room: 3,
      UtilityFeed: 2,
      Generator: 2,
      UPS: 2,
      PDU: 8,
      Rack: 20,
      Server: 200,
      Service: 12,
      Chiller: 2,
      CRAH: 4,
      Sensor: 20,
    });
    expect(twin.assets).toHaveLength(276);
    const racks = twin.assets.filter((a) => a.kind === 'Rack').map((a) => a.id);
    expect(racks[0]).toBe('rack-r1-01');
    expect(racks[racks.length - 1]).toBe('rack-r4-05');
    expect(twin.assets.find((a) => a.id === 'srv-r1-01-01')).toMatchObject({ kind: 'Server' });
    expect(twin.assets.find((a) => a.id === 'sensor-rack-r3-02')).toMatchObject({ kind: 'Sensor' });
  });

  it('uses unique lowercase-kebab ids and human-readable names', () => {
    const assetIds = twin.assets.map((a) => a.id);
    expect(new Set(assetIds).size).toBe(assetIds.length);
    for (const a of twin.assets) {
      expect(a.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(a.name).toEqual(expect.stringMatching(/^[A-Z].+/));
    }
    const keys = twin.relationships.map((r) => `${r.from}|${r.type}|${r.to}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('only relates assets it contains', () => {
    const known = new Set(twin.assets.map((a) => a.id));
    const dangling = twin.relationships.filter((r) => !known.has(r.from) || !known.has(r.to));
    expect(dangling).toEqual([]);
  });

  it('passes the built-in model validation record by record', () => {
    twin.assets.forEach((a, i) => expect(() => checkAssetWrite(model, a, `assets[${i}]`)).not.toThrow());
    twin.relationships.forEach((r, i) => expect(() => checkRelationshipWrite(model, r, `relationships[${i}]`)).not.toThrow());
  });

  it('feeds every rack from both PDUs of its row and cools it from both CRAHs of its hall', () => {
    const into = (to: string, type: string) => twin.relationships.filter((r) => r.to === to && r.type === type);
    expect(into('rack-r2-03', 'FEEDS')).toEqual([
      { from: 'pdu-r2-a', type: 'FEEDS', to: 'rack-r2-03', properties: { redundancyGroup: 'power', minLive: 1 } },
      { from: 'pdu-r2-b', type: 'FEEDS', to: 'rack-r2-03', properties: { redundancyGroup: 'power', minLive: 1 } },
    ]);
    expect(into('rack-r3-01', 'COOLS').map((r) => r.from)).toEqual(['crah-3', 'crah-4']);
    expect(into('ups-a', 'FEEDS').map((r) => [r.from, r.properties?.redundancyGroup])).toEqual([
      ['feed-a', 'source'],
      ['gen-a', 'source'],
    ]);
    expect(into('srv-r4-05-10', 'HOSTS').map((r) => r.from)).toEqual(['rack-r4-05']);
    // Server loads are realistic and deterministic.
    for (const server of twin.assets.filter((a) => a.kind === 'Server')) {
      expect(server.properties?.loadKw).toBeGreaterThanOrEqual(0.35);
      expect(server.properties?.loadKw).toBeLessThanOrEqual(0.6);
    }
  });

  it('loses only redundancy when one PDU fails', () => {
    const result = computeImpact(dependencyEdges(), ['pdu-r1-a']);
    expect(result.down).toEqual([]);
    expect(ids(result.atRisk)).toEqual(['rack-r1-01', 'rack-r1-02', 'rack-r1-03', 'rack-r1-04', 'rack-r1-05']);
  });

  it('takes row 2 and what depends on it down when both of its PDUs fail', () => {
    const result = computeImpact(dependencyEdges(), ['pdu-r2-a', 'pdu-r2-b']);
    const down = ids(result.down);
    expect(down.filter((id) => id.startsWith('rack-'))).toEqual(['rack-r2-01', 'rack-r2-02', 'rack-r2-03', 'rack-r2-04', 'rack-r2-05']);
    expect(down.filter((id) => id.startsWith('srv-'))).toHaveLength(50);
    expect(down.filter((id) => id.startsWith('srv-')).every((id) => id.startsWith('srv-r2-'))).toBe(true);
    expect(down.filter((id) => id.startsWith('svc-'))).toEqual(['svc-checkout', 'svc-db-primary', 'svc-storefront']);
    expect(down).toHaveLength(58);
    expect(ids(result.atRisk)).toEqual(['svc-api', 'svc-cache', 'svc-search', 'svc-web']);
    expect(result.down.find((e) => e.id === 'svc-db-primary')).toMatchObject({ depth: 3 });
  });
});
