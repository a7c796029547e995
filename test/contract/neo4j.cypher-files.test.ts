/**
 * Every file in cypher/ compiles on the real Neo4j of this run (EXPLAIN plans it without running
 * it), templates filled in as the adapter fills them. Catches what the text checks of
 * test/unit/cypher-files.test.ts cannot: a construct the server's version does not know.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { readCypherFolder } from '../../src/graph/neo4j/cypher-files';
import { NEO4J_SCHEMA_QUERIES } from '../../src/graph/neo4j/neo4j-graph-store';
import { neo4jConfig } from '../support/stores/test-store';

const FILLED: Record<string, string> = { __TYPE__: '`FEEDS`', __DIRECTION__: 'ASC', __REACH__: '9', __DEPENDENCY_TYPES__: '`FEEDS`|`DEPENDS_ON`', __AFTER__: 'a.id > $afterId' };
const queries = [...readCypherFolder().values()].filter((q) => !(NEO4J_SCHEMA_QUERIES as readonly string[]).includes(q.name));

let driver: Driver;
const config = neo4jConfig();
beforeAll(() => {
  driver = neo4j.driver(config.uri, neo4j.auth.basic(config.username, config.password));
});
afterAll(() => driver.close());

it.each(queries.map((q) => [q.name, q] as const))('%s compiles on the server', async (_name, query) => {
  const body = query.body.replace(/__[A-Z][A-Z0-9_]*__/g, (placeholder) => FILLED[placeholder] ?? placeholder);
  const result = await driver.executeQuery(`EXPLAIN ${body}`, {}, { database: config.database });
  expect(result.summary.plan).toBeTruthy();
});
