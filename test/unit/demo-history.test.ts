import { calibrate } from '../../src/sim/calibrate';
import { demoHistoryRecords } from '../../src/demo/demo-history';

describe('npm run demo:history', () => {
  const end = Date.UTC(2026, 11, 2, 6, 40);
  const records = demoHistoryRecords(end);
  const of = (id: string) => records.filter((r) => r.assetId === id);

  it('is a day every 5 minutes of 200 servers, 8 PDUs, 2 UPSs, 2 feeds and 2 generators, deterministic', () => {
    expect(records).toHaveLength(288 * 214);
    expect(of('pdu-r2-b')[0].observedAt).toBe(new Date(end - 86_400_000).toISOString());
    expect(demoHistoryRecords(end)).toEqual(records);
  });

  it('carries the chain as a real one would: a feed is its UPS plus the chiller, a PDU pair splits its row', () => {
    const at = (id: string, i: number) => of(id)[i].values.loadKw as number;
    for (const i of [0, 100, 287]) {
      expect(at('feed-a', i)).toBeCloseTo(at('ups-a', i) + 60, 2);
      expect(at('ups-a', i)).toBeCloseTo((at('pdu-r1-a', i) + at('pdu-r2-a', i) + at('pdu-r3-a', i) + at('pdu-r4-a', i)) * 1.06, 1);
      expect(at('gen-a', i)).toBe(0);
    }
  });

  it('has the outages it promises, which CALIBRATE finds', () => {
    const statuses = (id: string) => of(id).map((r) => ({ observedAt: r.observedAt, value: r.values.status }));
    const window = { from: new Date(end - 86_400_000).toISOString(), to: new Date(end).toISOString() };
    // pdu-r2-b DOWN for 30 minutes (6 samples), while pdu-r2-a carries the row alone.
    const pdu = calibrate({ ...window, observations: statuses('pdu-r2-b') });
    expect(pdu).toMatchObject({ calibrated: true, failures: 1, mttrHours: 0.5 });
    const down = of('pdu-r2-b').findIndex((r) => r.values.status === 'DOWN');
    expect(of('pdu-r2-b')[down].values.loadKw).toBe(0);
    expect(of('pdu-r2-a')[down].values.loadKw as number).toBeGreaterThan((of('pdu-r2-a')[down - 1].values.loadKw as number) * 1.8);
    expect(calibrate({ ...window, observations: statuses('srv-r1-01-01') })).toMatchObject({ failures: 2 });
    expect(calibrate({ ...window, observations: statuses('ups-b') })).toMatchObject({ failures: 0, maintenanceHours: 1 });
  });
});
