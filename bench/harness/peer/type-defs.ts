/**
 * The peer's type definitions: @neo4j/graphql 7 over the same `(:Asset)` nodes and relationship
 * types the API stores (bench/harness/parts/peer.ts benches the two side by side).
 *
 * Written the way the library's documentation models a graph: one `@node` type per label, one
 * `@relationship` field per relationship type and direction (the library has no "any type"
 * relationship field), and an `@cypher` field for the traversal it cannot express itself.
 * Only the properties the bench selects are declared; the store's other node properties (user
 * properties, `_state`, `_stateObservedAt`...) are simply not exposed.
 */

/** The relationship fields, OUT and IN, for each relationship type of the built-in model. */
export const PEER_RELATIONSHIPS = [
  { type: 'FEEDS', out: 'feeds', in: 'fedBy' },
  { type: 'COOLS', out: 'cools', in: 'cooledBy' },
  { type: 'HOSTS', out: 'hosts', in: 'hostedBy' },
  { type: 'DEPENDS_ON', out: 'dependsOn', in: 'dependedOnBy' },
  { type: 'RUNS_ON', out: 'runsOn', in: 'runsHere' },
  { type: 'CONTAINS', out: 'contains', in: 'containedIn' },
  { type: 'LOCATED_IN', out: 'locatedIn', in: 'locatesHere' },
  { type: 'CONNECTS_TO', out: 'connectsTo', in: 'connectedFrom' },
] as const;

/** The dependency types the statement follows, by direction (checked against the model by the bench). */
export const PEER_DEPENDENCY_TYPES = { forward: ['FEEDS', 'COOLS', 'HOSTS'], reverse: ['DEPENDS_ON', 'RUNS_ON'] };

const { forward, reverse } = PEER_DEPENDENCY_TYPES;
/**
 * Dependents: every asset that depends, directly or transitively within 10 hops, on this one.
 * A dependency hop goes from supplier to consumer: along a FORWARD type (FEEDS, COOLS, HOSTS:
 * source → target) or against a REVERSE one (DEPENDS_ON, RUNS_ON: the source depends on the
 * target), as in src/model/datacenter.model.yaml. One quantified path pattern with the hop's
 * direction checked inside it (so the expansion is pruned as it goes), each asset once. Depth 10
 * is part of the statement: Cypher takes no parameter as a repetition bound.
 */
export const DEPENDENTS_STATEMENT = `MATCH (this)((a)-[r:${[...forward, ...reverse].join('|')}]-(b)
  WHERE CASE WHEN type(r) IN [${forward.map((t) => `'${t}'`).join(', ')}] THEN startNode(r) = a ELSE endNode(r) = a END){1,10}(dependent:Asset)
WHERE dependent <> this
RETURN DISTINCT dependent`;

export const PEER_TYPE_DEFS = /* GraphQL */ `
type Asset @node {
  id: ID!
  kind: String!
  name: String!
  status: String
  version: Int!
  createdAt: String
  updatedAt: String
${PEER_RELATIONSHIPS.map((r) => `  ${r.out}: [Asset!]! @relationship(type: "${r.type}", direction: OUT)\n  ${r.in}: [Asset!]! @relationship(type: "${r.type}", direction: IN)`).join('\n')}
  """Assets that depend on this one, transitively, within 10 dependency hops."""
  dependents: [Asset!]!
    @cypher(
      statement: """
${DEPENDENTS_STATEMENT}
"""
      columnName: "dependent"
    )
}
`;
