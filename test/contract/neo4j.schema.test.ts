/**
 * Schema setup on a real Neo4j: idempotent across restarts and when several instances start
 * together on a database without the schema, and the unique constraints it creates hold under
 * concurrent writes from several connections.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { readCypherFolder } from '../../src/graph/neo4j/cypher-files';
import { Neo4jGraphStore, NEO4J_SCHEMA_QUERIES } from '../../src/graph/neo4j/neo4j-graph-store';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { neo4jConfig, wipeStore } from '../support/stores/test-store';

const config = neo4jConfig();
const model = indexModel(loadTwinModel());
const files = readCypherFolder();
const schemaNames = NEO4J_SCHEMA_QUERIES.map((q) => /^CREATE (?:CONSTRAINT|INDEX) (\w+)/.exec(files.get(q)!.body)![1]).sort();

let driver: Driver;
const stores: Neo4jGraphStore[] = [];
const cypher = async (text: string) => (await driver.executeQuery(text, {}, { database: config.database })).records.map((r) => r.toObject());
const newStore = () => {
  const store = new Neo4jGraphStore(config, model);
  stores.push(store);
  return store;
};
const names = async (show: string) => (await cypher(show)).map((r) => r.name as string);
const constraints = () => names('SHOW CONSTRAINTS YIELD name RETURN name');
/** Indexes of our own: neither the token lookup indexes nor those behind constraints. */
const indexes = () => names("SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name");
const schema = async () => [...(await constraints()), ...(await indexes())].sort();

beforeAll(async () => {
  driver = neo4j.driver(config.uri, neo4j.auth.basic(config.username, config.password));
  await wipeStore();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  // Leave the schema in place for the files that run after this one.
  await newStore().init();
  await driver.close();
});

it('three instances starting together on a database without the schema all start, and create it once', async () => {
  for (const name of await constraints()) await cypher(`DROP CONSTRAINT ${name}`);
  for (const name of await indexes()) await cypher(`DROP INDEX ${name}`);
  expect(await schema()).toEqual([]);
  await Promise.all([newStore().init(), newStore().init(), newStore().init()]);
  expect(await schema()).toEqual(schemaNames);
  // A restart: init again changes nothing.
  await newStore().init();
  expect(await schema()).toEqual(schemaNames);
});

it('concurrent upserts of one new asset from several connections create one node', async () => {
  const [a, b, c] = [newStore(), newStore(), newStore()];
  await Promise.all([a.init(), b.init(), c.init()]);
  for (let round = 0; round < 5; round++) {
    const id = `schema-race-${round}`;
    const written = await Promise.all(
      [a, b, c, a, b, c].map((s, i) => s.upsertAssets([{ id, kind: 'Server', properties: { [`p${i}`]: i } }])),
    );
    expect(written.every(({ assets: [w] }) => w.id === id)).toBe(true);
    const rows = await cypher(`MATCH (n:Asset {id: '${id}'}) RETURN n.version AS version, n.kind AS kind`);
    expect(rows).toHaveLength(1);
    // No lost update either: six writes, each changed something, six versions.
    expect(Number(rows[0].version)).toBe(6);
    const [stored] = await a.getAssets([id]);
    expect(stored!.properties).toEqual({ p0: 0, p1: 1, p2: 2, p3: 3, p4: 4, p5: 5 });
  }
});
