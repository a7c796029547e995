// dependency-reach: the one-hop dependency neighbours of every asset fewer than __REACH__ + 1
//   hops from the given assets, in one round trip: what a breadth-first walk of depth
//   __REACH__ + 1 reads level by level (src/graph/traversal.ts walks these pairs in memory, so
//   depths and paths are those of the level-by-level walk). The assets within reach are found by
//   one quantified path pattern whose hop direction is checked inside it, each asset once
//   (DISTINCT), which Neo4j plans as a single pruned breadth-first expansion.
// Allows: quantified paths, because a classic variable-length pattern has one direction, and a
//   dependency walk follows FORWARD types from source to target and REVERSE ones backwards.
// Template: __REACH__ and __DEPENDENCY_TYPES__, substituted by the adapter. __REACH__ is a positive
//   integer, the walk's depth minus one (a repetition bound cannot be a parameter);
//   __DEPENDENCY_TYPES__ the model's FORWARD and REVERSE types as a type alternation
//   (`FEEDS`|`DEPENDS_ON`), so that Neo4j expands only those relationships. Dependency
//   relationships link assets only, so the assets reached need no label check.
// Parameters:
//   $ids: list of string, the start assets.
//   $out: list of string, relationship types a hop follows from source to target.
//   $in: list of string, relationship types a hop follows from target to source.
//   $summaries: boolean, whether to return the kind and name of every asset one hop away.
// Returns: rows {nearId: string, fars: list of [id] or, with $summaries, [id, kind, name]}, one
//   per asset within reach (the starts included) that has a neighbour, in no particular order.
MATCH (start:Asset)
WHERE start.id IN $ids
MATCH (start)((a)-[r:__DEPENDENCY_TYPES__]-(b)
  WHERE (type(r) IN $out AND startNode(r) = a) OR (type(r) IN $in AND endNode(r) = a)){0,__REACH__}(near)
WITH DISTINCT near
CALL (near) {
  MATCH (near)-[r:__DEPENDENCY_TYPES__]->(far)
  WHERE type(r) IN $out
  RETURN far
  UNION
  MATCH (near)<-[r:__DEPENDENCY_TYPES__]-(far)
  WHERE type(r) IN $in
  RETURN far
}
RETURN near.id AS nearId, collect(CASE WHEN $summaries THEN [far.id, far.kind, far.name] ELSE [far.id] END) AS fars
