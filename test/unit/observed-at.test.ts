import { parseObservedAt } from '../../src/live/state-report';

/** observedAt: dates and times that exist are read exactly; ones that do not are refused, not rolled over. */
describe('parseObservedAt', () => {
  it.each([
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2026-04-30T23:59:59.999Z', '2026-04-30T23:59:59.999Z'],
    ['2026-12-31T22:30+02:00', '2026-12-31T20:30:00.000Z'],
  ])('reads %s', (raw, iso) => expect(parseObservedAt(raw)).toEqual({ iso }));

  it.each(['2025-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T12:60:00Z', '2026-01-01T12:00:60Z'])(
    'refuses %s, a date or time that does not exist',
    (raw) => expect(parseObservedAt(raw)).toEqual({ reason: `observedAt ${JSON.stringify(raw)} names a date or time that does not exist` }),
  );
});
