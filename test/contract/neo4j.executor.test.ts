/**
 * The Neo4j executor's deadline: a statement or transaction running past QUERY_TIMEOUT_MS is
 * stopped by the server and answered with a TIMEOUT DomainError naming the setting.
 */
import { DomainError } from '../../src/errors';
import { CypherExecutor } from '../../src/graph/neo4j/cypher-executor';
import { neo4jConfig } from '../support/stores/test-store';

/** Seconds of work for the server, reading nothing. */
const SLOW = 'UNWIND range(1, 1000000000) AS x WITH x WHERE x = -1 RETURN count(*) AS n';

let executor: CypherExecutor;
beforeAll(() => {
  executor = new CypherExecutor({ ...neo4jConfig(), queryTimeoutMs: 300 });
});
afterAll(() => executor.close());

it('stops a statement past QUERY_TIMEOUT_MS with TIMEOUT', async () => {
  const started = Date.now();
  const err = await executor.read(SLOW).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DomainError);
  expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/QUERY_TIMEOUT_MS \(300 ms\)/) });
  expect(Date.now() - started).toBeLessThan(10_000);
  // Quick statements still run.
  expect(await executor.read('RETURN 1 AS one')).toEqual([{ one: 1 }]);
});

it('stops a transaction past QUERY_TIMEOUT_MS with TIMEOUT, and it is not retried', async () => {
  let attempts = 0;
  const err = await executor
    .writeTransaction(async (tx) => {
      attempts++;
      return tx.run(SLOW);
    })
    .then(() => null, (e: unknown) => e);
  expect(err).toMatchObject({ code: 'TIMEOUT' });
  expect(attempts).toBe(1);
});
