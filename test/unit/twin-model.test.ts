/** Loading the twin model: the built-in one, files that replace it or extend it, and bad files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'twin-model-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
/** Write a model file with a unique name and return its path. */
function modelFile(text: string, ext = 'yaml'): string {
  const file = path.join(dir, `model-${++fileNo}.${ext}`);
  writeFileSync(file, text);
  return file;
}
const kindNames = (file?: string) => loadTwinModel(file).kinds.map((k) => k.name);
const typeDirections = (file?: string) => Object.fromEntries(loadTwinModel(file).relationshipTypes.map((t) => [t.name, t.dependency]));

describe('built-in model', () => {
  test('is the data-center model with the documented kinds and relationship types', () => {
    const model = loadTwinModel();
    expect(model.name).toBe('datacenter');
    expect(model.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(kindNames()).toEqual(
      expect.arrayContaining(['Site', 'Room', 'UtilityFeed', 'Generator', 'UPS', 'PDU', 'Rack', 'Server', 'Service', 'Chiller', 'CRAH', 'Sensor']),
    );
    expect(typeDirections()).toEqual({
      FEEDS: 'FORWARD',
      COOLS: 'FORWARD',
      HOSTS: 'FORWARD',
      DEPENDS_ON: 'REVERSE',
      RUNS_ON: 'REVERSE',
      CONTAINS: 'NONE',
      LOCATED_IN: 'NONE',
      CONNECTS_TO: 'NONE',
    });
  });

  test('indexModel splits the types by dependency direction', () => {
    const index = indexModel(loadTwinModel());
    expect(index.forwardTypes.sort()).toEqual(['COOLS', 'FEEDS', 'HOSTS']);
    expect(index.reverseTypes.sort()).toEqual(['DEPENDS_ON', 'RUNS_ON']);
    expect(index.kinds.has('UPS')).toBe(true);
    expect(index.kinds.has('Pump')).toBe(false);
    expect(index.types.get('CONTAINS')?.dependency).toBe('NONE');
  });
});

describe('a model file without `extends` replaces the built-in model', () => {
  test('YAML', () => {
    const file = modelFile(`
name: water
version: 2.1.0
kinds:
  - { name: Pump }
  - { name: Valve, description: A valve }
relationshipTypes:
  - { name: FLOWS_TO, dependency: FORWARD }
  - { name: CONTROLS, dependency: REVERSE }
  - { name: PART_OF }
`);
    const model = loadTwinModel(file);
    expect(model).toMatchObject({ name: 'water', version: '2.1.0' });
    expect(kindNames(file)).toEqual(['Pump', 'Valve']);
    // A type without `dependency` is structural.
    expect(typeDirections(file)).toEqual({ FLOWS_TO: 'FORWARD', CONTROLS: 'REVERSE', PART_OF: 'NONE' });
    const index = indexModel(model);
    expect(index.kinds.has('UPS')).toBe(false);
    expect(index.types.has('FEEDS')).toBe(false);
    expect(index.forwardTypes).toEqual(['FLOWS_TO']);
    expect(index.reverseTypes).toEqual(['CONTROLS']);
  });

  test('JSON', () => {
    const file = modelFile(
      JSON.stringify({ name: 'fleet', version: '1.0.0', kinds: [{ name: 'Truck' }], relationshipTypes: [{ name: 'TOWS', dependency: 'FORWARD' }] }),
      'json',
    );
    expect(loadTwinModel(file).name).toBe('fleet');
    expect(kindNames(file)).toEqual(['Truck']);
    expect(typeDirections(file)).toEqual({ TOWS: 'FORWARD' });
  });
});

describe('a model file with `extends: datacenter` adds to the built-in model', () => {
  test('new kinds and types are added, same-named types are replaced, the rest is kept', () => {
    const file = modelFile(`
extends: datacenter
name: datacenter-plus
version: 1.1.0
kinds:
  - { name: Pump }
relationshipTypes:
  - { name: PUMPS_TO, dependency: FORWARD }
  - { name: CONNECTS_TO, dependency: FORWARD, description: now carries power }
`);
    const model = loadTwinModel(file);
    expect(model).toMatchObject({ name: 'datacenter-plus', version: '1.1.0' });
    expect(kindNames(file)).toEqual(expect.arrayContaining(['Pump', 'UPS', 'Rack', 'Sensor']));
    const directions = typeDirections(file);
    expect(directions).toMatchObject({ PUMPS_TO: 'FORWARD', CONNECTS_TO: 'FORWARD', FEEDS: 'FORWARD', RUNS_ON: 'REVERSE', CONTAINS: 'NONE' });
    expect(model.relationshipTypes.filter((t) => t.name === 'CONNECTS_TO')).toHaveLength(1);
    const index = indexModel(model);
    expect(index.forwardTypes).toEqual(expect.arrayContaining(['CONNECTS_TO', 'PUMPS_TO', 'FEEDS']));
  });

  test('an extension with only new kinds keeps every built-in type', () => {
    const file = modelFile(JSON.stringify({ extends: 'datacenter', kinds: [{ name: 'Battery' }] }), 'json');
    expect(kindNames(file)).toContain('Battery');
    expect(Object.keys(typeDirections(file))).toHaveLength(8);
  });

  test('extending anything but the built-in model is an error', () => {
    const file = modelFile('extends: water\nkinds: [{ name: Pump }]\n');
    expect(() => loadTwinModel(file)).toThrow(/extends must be "datacenter".*"water"/);
  });

  test('an extension is checked like a full model', () => {
    const file = modelFile('extends: datacenter\nrelationshipTypes: [{ name: pumps-to, dependency: FORWARD }]\n');
    expect(() => loadTwinModel(file)).toThrow(/relationship type "pumps-to" must match/);
  });
});

describe('bad model files give an error naming the file and the problem', () => {
  const cases: [string, string, RegExp][] = [
    ['invalid YAML', 'name: x\nkinds: [ { name: Pump\n', /not valid JSON or YAML/],
    ['invalid YAML in an extension', 'extends: datacenter\nkinds: [ { name: Pump\n', /not valid JSON or YAML/],
    ['invalid JSON', '{"name": "x", "kinds": [}', /not valid JSON or YAML/],
    ['an empty file', '', /must contain an object/],
    ['a bare string', 'just text', /must contain an object/],
    ['no kinds', 'name: x\nkinds: []\n', /declares no asset kinds/],
    ['kinds that is not a list', 'name: x\nkinds: { name: Pump }\n', /"kinds" must be a list/],
    ['a kind that is not an object', 'name: x\nkinds: [Pump]\n', /kinds\[0\] must be an object with a name/],
    ['a badly named kind', 'name: x\nkinds: [{ name: pump }]\n', /kind name "pump" must match/],
    ['a kind without a name', 'name: x\nkinds: [{ description: nameless }]\n', /kinds\[0\] must be an object with a name/],
    ['a badly named type', 'name: x\nkinds: [{ name: Pump }]\nrelationshipTypes: [{ name: "FLOWS TO", dependency: FORWARD }]\n', /relationship type "FLOWS TO" must match/],
    ['a type name that would inject Cypher', 'name: x\nkinds: [{ name: Pump }]\nrelationshipTypes: [{ name: "X]->(n) DETACH DELETE n//" }]\n', /must match/],
    ['an unknown dependency', 'name: x\nkinds: [{ name: Pump }]\nrelationshipTypes: [{ name: FLOWS_TO, dependency: SIDEWAYS }]\n', /FLOWS_TO: dependency must be one of FORWARD, REVERSE, NONE/],
    ['a lowercase dependency', 'name: x\nkinds: [{ name: Pump }]\nrelationshipTypes: [{ name: FLOWS_TO, dependency: forward }]\n', /dependency must be one of/],
    ['a kind declared twice', 'name: x\nkinds: [{ name: Pump }, { name: Pump }]\n', /kind "Pump" is declared twice/],
    [
      'a type declared twice',
      'name: x\nkinds: [{ name: Pump }]\nrelationshipTypes: [{ name: FLOWS_TO, dependency: FORWARD }, { name: FLOWS_TO, dependency: REVERSE }]\n',
      /relationship type "FLOWS_TO" is declared twice/,
    ],
  ];
  test.each(cases)('%s', (_label, text, message) => {
    const file = modelFile(text);
    let error: Error | undefined;
    try {
      loadTwinModel(file);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(message);
    expect(error!.message).toContain(file);
  });

  test('a missing file', () => {
    const file = path.join(dir, 'does-not-exist.yaml');
    expect(() => loadTwinModel(file)).toThrow(/cannot read model file/);
    expect(() => loadTwinModel(file)).toThrow(file);
  });
});
