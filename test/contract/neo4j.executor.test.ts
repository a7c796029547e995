/**
 * The Neo4j executor's deadline: a statement or transaction running past QUERY_TIMEOUT_MS (or
 * waiting that long for a lock) is stopped by the server and answered with a TIMEOUT DomainError
 * naming the setting. And its write gate: NEO4J_MAX_WRITE_TRANSACTIONS at once, in order.
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

it('stops a transaction that waits past QUERY_TIMEOUT_MS for a lock with TIMEOUT, and the lock holder commits', async () => {
  // A writer without a deadline holds the node's write lock for longer than the deadline.
  const holder = new CypherExecutor(neo4jConfig());
  try {
    await holder.write("MERGE (n:ExecutorLockProbe {id: 'lock'}) SET n.v = 0");
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = holder.writeTransaction(async (tx) => {
      await tx.run("MATCH (n:ExecutorLockProbe {id: 'lock'}) SET n.v = 1");
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    const err = await executor.write("MATCH (n:ExecutorLockProbe {id: 'lock'}) SET n.v = 2").then(() => null, (e: unknown) => e);
    release();
    await held;
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/QUERY_TIMEOUT_MS \(300 ms\)/) });
    expect(await holder.read("MATCH (n:ExecutorLockProbe {id: 'lock'}) RETURN n.v AS v")).toEqual([{ v: 1 }]);
  } finally {
    await holder.write('MATCH (n:ExecutorLockProbe) DELETE n').catch(() => undefined);
    await holder.close();
  }
});

it('runs at most NEO4J_MAX_WRITE_TRANSACTIONS writes at once, in the order they came; reads do not wait', async () => {
  const gated = new CypherExecutor({ ...neo4jConfig(), maxWriteTransactions: 2 });
  try {
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    const wake = new Set<() => void>();
    const whenStarted = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => started.length >= n && (wake.delete(check), resolve());
        wake.add(check);
        check();
      });
    const writes = [1, 2, 3, 4].map((i) =>
      gated.writeTransaction(async (tx) => {
        await tx.run('RETURN 1');
        started.push(i);
        for (const check of [...wake]) check();
        await new Promise<void>((resolve) => finish.set(i, resolve));
      }),
    );
    await whenStarted(2);
    // Both turns taken (the first two in either order): a read still runs, the third write does
    // not start (it would within milliseconds).
    expect(await gated.read('RETURN 1 AS one')).toEqual([{ one: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...started].sort()).toEqual([1, 2]);
    finish.get(2)!();
    await whenStarted(3);
    expect(started[2]).toBe(3);
    finish.get(1)!();
    await whenStarted(4);
    finish.get(3)!();
    finish.get(4)!();
    await Promise.all(writes);
    expect(started.slice(2)).toEqual([3, 4]);
  } finally {
    await gated.close();
  }
});
