/** Input validation against the twin model: every message names the field that is wrong. */
import { DomainError } from '../../src/errors';
import type { AssetWrite, RelationshipKey, RelationshipWrite } from '../../src/graph/types';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import {
  checkAssetId,
  checkAssetWrite,
  checkBatch,
  checkProperties,
  checkRelationshipKey,
  checkRelationshipWrite,
} from '../../src/model/validate';

const model = indexModel(loadTwinModel());

/** The DomainError a call throws (fails the test when it does not throw one). */
function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}
const asset = (raw: unknown, where = 'input[0]') => checkAssetWrite(model, raw as AssetWrite, where);
const relationship = (raw: unknown, where = 'input[0]') => checkRelationshipWrite(model, raw as RelationshipWrite, where);

describe('asset ids', () => {
  test.each(['a', 'UPS-1', 'site1/room2/rack-03', 'srv:42', 'ups_a.1', 'user@host', '9lives', 'x'.repeat(200)])('accepts %s', (id) => {
    expect(checkAssetId(id, 'input[0].id')).toBe(id);
  });

  test.each([
    ['empty', ''],
    ['a space', 'ups 1'],
    ['a quote', 'ups"1'],
    ['a leading dash', '-ups'],
    ['a leading dot', '.hidden'],
    ['a percent sign', 'ups%'],
    ['201 characters', 'x'.repeat(201)],
    ['a number', 42],
    ['null', null],
  ])('rejects %s, naming the field', (_label, id) => {
    const err = errorOf(() => checkAssetId(id, 'input[3].id'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(/^input\[3\]\.id: asset id .* is malformed/);
    expect(err.details).toMatchObject({ field: 'input[3].id' });
  });
});

describe('checkAssetWrite', () => {
  test('returns a clean write; properties default to {}, null property values are kept (they remove keys)', () => {
    expect(asset({ id: 'ups-1', kind: 'UPS' })).toEqual({ id: 'ups-1', kind: 'UPS', properties: {} });
    expect(asset({ id: 'ups-1', kind: 'UPS', name: 'Main UPS', properties: { ratedKw: 500, online: true, vendor: null, phases: [1, 2, 3] } })).toEqual({
      id: 'ups-1',
      kind: 'UPS',
      name: 'Main UPS',
      properties: { ratedKw: 500, online: true, vendor: null, phases: [1, 2, 3] },
    });
    // A null name clears the name, an absent one keeps it: both must survive validation as given.
    expect(asset({ id: 'ups-1', kind: 'UPS', name: null })).toHaveProperty('name', null);
    expect(asset({ id: 'ups-1', kind: 'UPS' })).not.toHaveProperty('name');
    // Empty lists are allowed.
    expect(asset({ id: 'ups-1', kind: 'UPS', properties: { tags: [] } }).properties).toEqual({ tags: [] });
  });

  test('an unknown kind names the field and lists the model\'s kinds', () => {
    const err = errorOf(() => asset({ id: 'x', kind: 'Toaster' }, 'input[2]'));
    expect(err.message).toMatch(/^input\[2\]\.kind: unknown asset kind "Toaster"; the model "datacenter" has .*UPS/);
    expect(err.details).toMatchObject({ field: 'input[2].kind' });
    expect(errorOf(() => asset({ id: 'x', kind: 'ups' })).message).toMatch(/input\[0\]\.kind: unknown asset kind "ups"/);
    expect(errorOf(() => asset({ id: 'x' })).message).toMatch(/input\[0\]\.kind: unknown asset kind undefined/);
  });

  test('a bad id in a write names the id field', () => {
    expect(errorOf(() => asset({ id: 'has space', kind: 'UPS' }, 'input[1]')).message).toMatch(/^input\[1\]\.id: /);
  });

  test('name must be a string of at most 500 characters', () => {
    expect(asset({ id: 'x', kind: 'UPS', name: 'n'.repeat(500) }).name).toHaveLength(500);
    expect(errorOf(() => asset({ id: 'x', kind: 'UPS', name: 'n'.repeat(501) })).message).toMatch(/^input\[0\]\.name: must be a string of at most 500/);
    expect(errorOf(() => asset({ id: 'x', kind: 'UPS', name: 12 })).details).toMatchObject({ field: 'input[0].name' });
  });

  test('a record that is not an object is rejected', () => {
    expect(errorOf(() => asset(null, 'input[4]')).message).toMatch(/^input\[4\]: must be an object/);
    expect(errorOf(() => asset('ups-1', 'input[4]')).message).toMatch(/^input\[4\]: must be an object/);
  });
});

describe('properties', () => {
  const props = (properties: unknown, where = 'input[2]') => asset({ id: 'x', kind: 'UPS', properties }, where);

  test('nested objects are rejected with the path of the value', () => {
    const err = errorOf(() => props({ meta: { vendor: 'Acme' } }));
    expect(err.message).toMatch(/^input\[2\]\.properties\.meta: .*got a nested object/);
    expect(err.details).toMatchObject({ field: 'input[2].properties.meta' });
  });

  test('lists must hold scalars of one type', () => {
    expect(errorOf(() => props({ tags: ['a', { b: 1 }] })).message).toMatch(/^input\[2\]\.properties\.tags\[1\]: .*nested object/);
    expect(errorOf(() => props({ grid: [[1, 2], [3]] })).message).toMatch(/^input\[2\]\.properties\.grid\[0\]: .*got a list/);
    expect(errorOf(() => props({ mixed: [1, 'two'] })).message).toMatch(/^input\[2\]\.properties\.mixed: a list property must hold values of one type, got number and string/);
    expect(errorOf(() => props({ holes: [1, null] })).message).toMatch(/^input\[2\]\.properties\.holes\[1\]: .*got null/);
  });

  test('numbers must be finite and strings bounded', () => {
    expect(errorOf(() => props({ x: Number.NaN })).message).toMatch(/^input\[2\]\.properties\.x: number must be finite/);
    expect(errorOf(() => props({ x: Infinity })).message).toMatch(/^input\[2\]\.properties\.x: number must be finite/);
    expect(errorOf(() => props({ notes: 's'.repeat(10_001) })).message).toMatch(/^input\[2\]\.properties\.notes: string longer than 10000/);
    expect(props({ notes: 's'.repeat(10_000) }).properties!.notes).toHaveLength(10_000);
  });

  test('keys must be identifiers (they become Neo4j property names and JSON paths)', () => {
    for (const key of ['1st', 'a-b', 'a.b', 'a b', '$x', '_x', 'a"]']) {
      const err = errorOf(() => props({ [key]: 1 }));
      expect(err.message).toContain(`input[2].properties.${key}: property key ${JSON.stringify(key)} is malformed`);
    }
    expect(props({ rated_kW2: 1 }).properties).toEqual({ rated_kW2: 1 });
  });

  test.each(['id', 'kind', 'name', 'status', 'state', 'version', 'createdAt', 'updatedAt'])('reserved key %s is rejected', (key) => {
    const err = errorOf(() => props({ [key]: 'x' }));
    expect(err.message).toMatch(new RegExp(`^input\\[2\\]\\.properties\\.${key}: property key "${key}" is reserved`));
    expect(err.details).toMatchObject({ field: `input[2].properties.${key}` });
  });

  test('properties must be an object', () => {
    expect(errorOf(() => props([1, 2])).message).toMatch(/^input\[2\]\.properties: properties must be an object/);
    expect(errorOf(() => props('ratedKw=5')).message).toMatch(/^input\[2\]\.properties: properties must be an object/);
    expect(props(null).properties).toEqual({});
  });

  test('null values are refused where they cannot mean "remove"', () => {
    expect(checkProperties({ a: null }, 'x', true)).toEqual({ a: null });
    expect(errorOf(() => checkProperties({ a: null }, 'rel.properties')).message).toMatch(/^rel\.properties\.a: .*got null/);
  });
});

describe('relationships', () => {
  test('a valid write comes back clean, with properties defaulting to {}', () => {
    expect(relationship({ from: 'pdu-a', to: 'rack-1', type: 'FEEDS' })).toEqual({ from: 'pdu-a', to: 'rack-1', type: 'FEEDS', properties: {} });
    expect(relationship({ from: 'pdu-a', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power', minLive: 2, cable: 'C-7' } })).toEqual({
      from: 'pdu-a',
      to: 'rack-1',
      type: 'FEEDS',
      properties: { redundancyGroup: 'power', minLive: 2, cable: 'C-7' },
    });
  });

  test('an unknown type is BAD_USER_INPUT naming the field and listing the catalog', () => {
    for (const type of ['POWERS', 'feeds', 'FEEDS]->(n) DETACH DELETE n //', '', 7]) {
      const err = errorOf(() => relationship({ from: 'a', to: 'b', type }, 'input[1]'));
      expect(err.code).toBe('BAD_USER_INPUT');
      expect(err.message).toMatch(/^input\[1\]\.type: unknown relationship type .*; the model "datacenter" has .*FEEDS/);
      expect(err.details).toMatchObject({ field: 'input[1].type' });
    }
  });

  test('endpoint ids are checked', () => {
    expect(errorOf(() => relationship({ from: 'a b', to: 'b', type: 'FEEDS' })).message).toMatch(/^input\[0\]\.from: /);
    expect(errorOf(() => relationship({ from: 'a', to: '', type: 'FEEDS' })).message).toMatch(/^input\[0\]\.to: /);
    expect(checkRelationshipKey(model, { from: 'a', to: 'b', type: 'RUNS_ON', properties: { x: 1 } } as RelationshipKey, 'k')).toEqual({
      from: 'a',
      to: 'b',
      type: 'RUNS_ON',
    });
  });

  test('minLive must be a whole number of at least 1', () => {
    for (const minLive of [0, -1, 1.5, '2', true]) {
      const err = errorOf(() => relationship({ from: 'a', to: 'b', type: 'FEEDS', properties: { redundancyGroup: 'g', minLive } }, 'input[5]'));
      expect(err.message).toMatch(/^input\[5\]\.properties\.minLive: must be a whole number of at least 1/);
      expect(err.details).toMatchObject({ field: 'input[5].properties.minLive' });
    }
    expect(relationship({ from: 'a', to: 'b', type: 'FEEDS', properties: { minLive: 3 } }).properties).toEqual({ minLive: 3 });
  });

  test('redundancyGroup must be a string', () => {
    const err = errorOf(() => relationship({ from: 'a', to: 'b', type: 'FEEDS', properties: { redundancyGroup: 1 } }));
    expect(err.message).toMatch(/^input\[0\]\.properties\.redundancyGroup: must be a string/);
  });

  test('relationship properties follow the same rules as asset properties', () => {
    expect(errorOf(() => relationship({ from: 'a', to: 'b', type: 'FEEDS', properties: { cable: { id: 1 } } })).message).toMatch(
      /^input\[0\]\.properties\.cable: .*nested object/,
    );
    expect(errorOf(() => relationship({ from: 'a', to: 'b', type: 'FEEDS', properties: { version: 2 } })).message).toMatch(/reserved/);
  });
});

describe('checkBatch', () => {
  test('returns every checked record when all are good', () => {
    const out = checkBatch([{ id: 'a', kind: 'UPS' }, { id: 'b', kind: 'PDU', properties: { x: 1 } }] as AssetWrite[], (item, where) => checkAssetWrite(model, item, where));
    expect(out).toEqual([
      { id: 'a', kind: 'UPS', properties: {} },
      { id: 'b', kind: 'PDU', properties: { x: 1 } },
    ]);
    expect(checkBatch([], () => 1)).toEqual([]);
  });

  test('the first bad record fails the batch, with its index in details and in the message', () => {
    const batch = [{ id: 'a', kind: 'UPS' }, { id: 'b', kind: 'UPS' }, { id: 'c', kind: 'UPS', properties: { x: { y: 1 } } }, { id: 'd d', kind: 'UPS' }];
    const err = errorOf(() => checkBatch(batch as AssetWrite[], (item, where) => checkAssetWrite(model, item, where)));
    expect(err.message).toMatch(/^input\[2\]\.properties\.x: /);
    expect(err.details).toMatchObject({ index: 2, field: 'input[2].properties.x' });
  });

  test('the label names the list', () => {
    const err = errorOf(() =>
      checkBatch([{ from: 'a', to: 'b', type: 'FEEDS' }, { from: 'a', to: 'b', type: 'NOPE' }] as RelationshipWrite[], (item, where) => checkRelationshipWrite(model, item, where), 'relationships'),
    );
    expect(err.message).toMatch(/^relationships\[1\]\.type: /);
    expect(err.details).toMatchObject({ index: 1 });
  });

  test('unexpected errors pass through untouched', () => {
    const boom = new TypeError('boom');
    expect(() => checkBatch([1], () => { throw boom; })).toThrow(boom);
  });
});
