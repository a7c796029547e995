/**
 * Every GraphQL operation the explorer sends is valid against the schema and, at the largest
 * variables the page uses, within the server's default query depth and cost limits (the server's
 * own cost function, src/server/query-cost.ts), so no view of the page is refused on a default
 * server.
 */
import { getOperationAST, parse, validate } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { loadConfig } from '../../src/config';
import { loadTypeDefs } from '../../src/schema';
import { operationCost } from '../../src/server/query-cost';
import { ASSET_BATCH, MAX_GRAPH_NODES, OPERATIONS, RESULT_PAGE, RUN_LIST, SEARCH_PAGE } from '../../explorer/src/operations';

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs() });
const limits = loadConfig({}).limits;
const config = loadConfig({});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `asset-${i}`);

/** The largest variables each operation is sent with. */
const LARGEST: Record<keyof typeof OPERATIONS, Record<string, unknown>> = {
  MODEL: {},
  SEARCH: { where: { idPrefix: 'x'.repeat(100), kind: 'Rack' }, first: SEARCH_PAGE, after: null },
  NEIGHBOURHOOD: { id: 'a', depth: config.maxTraversalDepth },
  ASSETS_WITH_RELATIONSHIPS: { ids: ids(ASSET_BATCH), first: ASSET_BATCH },
  ASSET_SUMMARIES: { ids: ids(ASSET_BATCH), first: ASSET_BATCH },
  ASSET_DETAILS: { id: 'a' },
  HISTORY: { id: 'a', metric: 'powerKw', from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z', every: 3600 },
  IMPACT: { failed: ids(config.maxListItems) },
  RUN_SCENARIO: { input: { kind: 'LOAD', roots: ['a'], maxDepth: config.maxTraversalDepth, failed: ids(100), loadFactors: [{ kind: 'Server', factor: 1.2 }] } },
  CANCEL_SCENARIO: { id: 'r' },
  SCENARIO_RUN: { id: 'r' },
  RUN_RESULTS: { id: 'r', first: RESULT_PAGE, after: null },
  RUNS: { first: RUN_LIST },
  COMPARE: { a: 'r1', b: 'r2' },
  STATE_CHANGED: { ids: ids(MAX_GRAPH_NODES) },
  RUN_UPDATED: { id: 'r' },
  TOPOLOGY_CHANGED: {},
};

describe("the explorer's GraphQL operations", () => {
  it.each(Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[])('%s is valid and within the default limits', (name) => {
    const document = parse(OPERATIONS[name]);
    expect(validate(schema, document)).toEqual([]);
    const operation = getOperationAST(document);
    expect(operation).toBeTruthy();
    const cost = operationCost(schema, document, operation!, LARGEST[name]);
    expect(cost).toBeLessThanOrEqual(limits.maxQueryCost);
  });

  it('asks for graph pages no larger than the server allows', () => {
    expect(ASSET_BATCH).toBeLessThanOrEqual(config.maxPageSize);
    expect(RESULT_PAGE).toBeLessThanOrEqual(config.maxPageSize);
    expect(MAX_GRAPH_NODES).toBeLessThanOrEqual(config.maxListItems);
  });
});
