import { loadConfig } from '../../src/config';

describe('history configuration', () => {
  it('has no rollups unless HISTORY_ROLLUP_RETENTION_DAYS is set, and then keeps them that long', () => {
    expect(loadConfig({}).history).toMatchObject({ retentionDays: 30, rollupRetentionDays: undefined, asOfMaxChanges: 100_000 });
    expect(loadConfig({ HISTORY_ROLLUP_RETENTION_DAYS: '365' }).history.rollupRetentionDays).toBe(365);
  });

  it('refuses rollups that would not outlive the raw observations they keep', () => {
    expect(() => loadConfig({ HISTORY_RETENTION_DAYS: '30', HISTORY_ROLLUP_RETENTION_DAYS: '30' })).toThrow(/HISTORY_ROLLUP_RETENTION_DAYS \(30\) must be longer than HISTORY_RETENTION_DAYS \(30\)/);
    expect(() => loadConfig({ HISTORY_ROLLUP_RETENTION_DAYS: 'a year' })).toThrow(/HISTORY_ROLLUP_RETENTION_DAYS must be a whole number/);
  });
});

describe('Neo4j configuration', () => {
  const uri = { NEO4J_URI: 'bolt://db.example:7687' };
  it('runs 4 write transactions at once unless NEO4J_MAX_WRITE_TRANSACTIONS says otherwise', () => {
    expect(loadConfig(uri).neo4j).toMatchObject({ uri: uri.NEO4J_URI, maxWriteTransactions: 4, queryTimeoutMs: 30_000 });
    expect(loadConfig({ ...uri, NEO4J_MAX_WRITE_TRANSACTIONS: '16' }).neo4j?.maxWriteTransactions).toBe(16);
    expect(() => loadConfig({ ...uri, NEO4J_MAX_WRITE_TRANSACTIONS: '0' })).toThrow(/NEO4J_MAX_WRITE_TRANSACTIONS/);
  });
});
