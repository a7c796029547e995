/**
 * Every GraphQL operation the explorer sends, and the shape of its answer, typed against the
 * types generated from the schema (src/generated/graphql.ts, `npm run codegen`): a field the
 * schema renames or drops breaks this file's type check (`npm run typecheck`).
 *
 * Sizes are bounded so that each operation stays within the server's default MAX_QUERY_COST at
 * its largest variables (test/e2e/explorer-operations.test.ts checks it with the server's own
 * cost function): asset loads go in batches of ASSET_BATCH ids, results in pages of RESULT_PAGE.
 */
import type {
  Asset,
  AssetHop,
  AssetKind,
  AssetStateEvent,
  AssetWhere,
  HistoryBucket,
  ImpactedAsset,
  ImpactReport,
  PageInfo,
  Relationship,
  RelationshipType,
  ScenarioComparison,
  ScenarioDifference,
  ScenarioInput,
  ScenarioRun,
  SimulationResult,
  TopologyEvent,
  TwinModel,
} from '../../src/generated/graphql';

export type { AssetWhere, ScenarioInput };
export type ScenarioKind = ScenarioRun['kind'];
export type RunStatus = ScenarioRun['status'];
export type ImpactState = ImpactedAsset['state'];
export type DependencyDirection = RelationshipType['dependency'];

/** Ids per asset load (`assets(where: { id_in }, first)` with relationships). */
export const ASSET_BATCH = 200;
/** Scenario results per page. */
export const RESULT_PAGE = 250;
/** Search results per page. */
export const SEARCH_PAGE = 20;
/** Assets drawn at most (the live subscription lists them all in `ids`). */
export const MAX_GRAPH_NODES = 600;
/** Runs listed for comparison. */
export const RUN_LIST = 15;

const SUMMARY = `fragment AssetSummary on Asset { id kind name status stale freshness }`;
export type AssetSummary = Pick<Asset, 'id' | 'kind' | 'name' | 'status' | 'stale' | 'freshness'>;

const RUN = `fragment RunFields on ScenarioRun { id kind status progress seed error submittedAt startedAt finishedAt summary input }`;
export type RunFields = Pick<ScenarioRun, 'id' | 'kind' | 'status' | 'progress' | 'seed' | 'error' | 'submittedAt' | 'startedAt' | 'finishedAt' | 'summary' | 'input'>;

type Id = Pick<Asset, 'id'>;
type Ref = Pick<Asset, 'id' | 'kind' | 'name'>;

export const MODEL = `query ExplorerModel {
  model { name version kinds { name description } relationshipTypes { name dependency description } }
}`;
export interface ModelData {
  model: Pick<TwinModel, 'name' | 'version'> & { kinds: Pick<AssetKind, 'name' | 'description'>[]; relationshipTypes: Pick<RelationshipType, 'name' | 'dependency' | 'description'>[] };
}

export const SEARCH = `query ExplorerSearch($where: AssetWhere, $first: Int!, $after: String) {
  assets(where: $where, orderBy: { field: ID }, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...AssetSummary } }
  }
}
${SUMMARY}`;
export interface SearchData {
  assets: { totalCount: number; pageInfo: PageInfo; edges: { node: AssetSummary }[] };
}

export const NEIGHBOURHOOD = `query ExplorerNeighbourhood($id: ID!, $depth: Int!) {
  asset(id: $id) {
    ...AssetSummary
    dependencies(maxDepth: $depth) { depth asset { id } }
    dependents(maxDepth: $depth) { depth asset { id } }
  }
}
${SUMMARY}`;
type Hop = Pick<AssetHop, 'depth'> & { asset: Id };
export interface NeighbourhoodData {
  asset: (AssetSummary & { dependencies: Hop[]; dependents: Hop[] }) | null;
}

export const ASSETS_WITH_RELATIONSHIPS = `query ExplorerAssets($ids: [ID!]!, $first: Int!) {
  assets(where: { id_in: $ids }, first: $first) {
    edges { node { ...AssetSummary relationships { type properties from { id } to { id } } } }
  }
}
${SUMMARY}`;
export type RelationshipEnds = Pick<Relationship, 'type' | 'properties'> & { from: Id; to: Id };
export interface AssetsWithRelationshipsData {
  assets: { edges: { node: AssetSummary & { relationships: RelationshipEnds[] } }[] };
}

export const ASSET_SUMMARIES = `query ExplorerSummaries($ids: [ID!]!, $first: Int!) {
  assets(where: { id_in: $ids }, first: $first) { edges { node { ...AssetSummary } } }
}
${SUMMARY}`;
export interface AssetSummariesData {
  assets: { edges: { node: AssetSummary }[] };
}

const RESULT_FIELDS = 'state depth cause availability availabilityLow availabilityHigh loadKw utilization overloaded';
export type ResultFields = Pick<SimulationResult, 'state' | 'depth' | 'cause' | 'availability' | 'availabilityLow' | 'availabilityHigh' | 'loadKw' | 'utilization' | 'overloaded'>;

export const ASSET_DETAILS = `query ExplorerAsset($id: ID!) {
  asset(id: $id) {
    ...AssetSummary
    properties state stateObservedAt version createdAt updatedAt
    relationships { type properties from { id kind name } to { id kind name } }
    scenarioResults(last: 5) { run { id kind finishedAt } ${RESULT_FIELDS} }
  }
}
${SUMMARY}`;
export type AssetDetails = AssetSummary &
  Pick<Asset, 'properties' | 'state' | 'stateObservedAt' | 'version' | 'createdAt' | 'updatedAt'> & {
    relationships: (Pick<Relationship, 'type' | 'properties'> & { from: Ref; to: Ref })[];
    scenarioResults: (ResultFields & { run: Pick<ScenarioRun, 'id' | 'kind' | 'finishedAt'> })[];
  };
export interface AssetDetailsData {
  asset: AssetDetails | null;
}

export const HISTORY = `query ExplorerHistory($id: ID!, $metric: String!, $from: DateTime!, $to: DateTime, $every: Int!) {
  asset(id: $id) { id historyBuckets(metric: $metric, from: $from, to: $to, every: $every) { start count avg min max last } }
}`;
export type Bucket = Pick<HistoryBucket, 'start' | 'count' | 'avg' | 'min' | 'max' | 'last'>;
export interface HistoryData {
  asset: { id: string; historyBuckets: Bucket[] } | null;
}

export const IMPACT = `query ExplorerImpact($failed: [ID!]!) {
  impact(failed: $failed) {
    failed
    down { state depth cause asset { ...AssetSummary } }
    atRisk { state depth cause asset { ...AssetSummary } }
  }
}
${SUMMARY}`;
export type Impacted = Pick<ImpactedAsset, 'state' | 'depth' | 'cause'> & { asset: AssetSummary };
export interface ImpactData {
  impact: Pick<ImpactReport, 'failed'> & { down: Impacted[]; atRisk: Impacted[] };
}

export const RUN_SCENARIO = `mutation ExplorerRunScenario($input: ScenarioInput!) { runScenario(input: $input) { ...RunFields } }
${RUN}`;
export interface RunScenarioData {
  runScenario: RunFields;
}

export const CANCEL_SCENARIO = `mutation ExplorerCancelScenario($id: ID!) { cancelScenario(id: $id) { ...RunFields } }
${RUN}`;
export interface CancelScenarioData {
  cancelScenario: RunFields;
}

export const SCENARIO_RUN = `query ExplorerScenarioRun($id: ID!) { scenarioRun(id: $id) { ...RunFields } }
${RUN}`;
export interface ScenarioRunData {
  scenarioRun: RunFields | null;
}

export const RUN_RESULTS = `query ExplorerRunResults($id: ID!, $first: Int!, $after: String) {
  scenarioRun(id: $id) {
    id
    results(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { assetId assetDeleted asset { id kind name } ${RESULT_FIELDS} }
    }
  }
}`;
export type RunResult = ResultFields & Pick<SimulationResult, 'assetId' | 'assetDeleted'> & { asset: Ref | null };
export interface RunResultsData {
  scenarioRun: { id: string; results: { totalCount: number; pageInfo: PageInfo; nodes: RunResult[] } } | null;
}

export const RUNS = `query ExplorerRuns($first: Int!) { scenarioRuns(first: $first) { nodes { ...RunFields } } }
${RUN}`;
export interface RunsData {
  scenarioRuns: { nodes: RunFields[] };
}

export const COMPARE = `query ExplorerCompare($a: ID!, $b: ID!) {
  compareScenarios(a: $a, b: $b) {
    a { id kind }
    b { id kind }
    differences { assetId asset { id kind name } changes }
  }
}`;
export interface CompareData {
  compareScenarios: { a: Pick<ScenarioComparison['a'], 'id' | 'kind'>; b: Pick<ScenarioComparison['b'], 'id' | 'kind'>; differences: (Pick<ScenarioDifference, 'assetId' | 'changes'> & { asset: Ref | null })[] };
}

export const STATE_CHANGED = `subscription ExplorerStateChanged($ids: [ID!]!) {
  assetStateChanged(ids: $ids) { assetId observedAt changed asset { ...AssetSummary state stateObservedAt } }
}
${SUMMARY}`;
export interface StateChangedData {
  assetStateChanged: Pick<AssetStateEvent, 'assetId' | 'observedAt' | 'changed'> & { asset: AssetSummary & Pick<Asset, 'state' | 'stateObservedAt'> };
}

export const RUN_UPDATED = `subscription ExplorerRunUpdated($id: ID!) { scenarioRunUpdated(id: $id) { ...RunFields } }
${RUN}`;
export interface RunUpdatedData {
  scenarioRunUpdated: RunFields;
}

export const TOPOLOGY_CHANGED = `subscription ExplorerTopologyChanged {
  topologyChanged { change asset { id } relationship { type from { id } to { id } } }
}`;
export interface TopologyChangedData {
  topologyChanged: Pick<TopologyEvent, 'change'> & { asset: Id | null; relationship: { type: string; from: Id; to: Id } | null };
}

/** Every operation, by name (the e2e suite checks each against the schema and the cost limit). */
export const OPERATIONS = {
  MODEL,
  SEARCH,
  NEIGHBOURHOOD,
  ASSETS_WITH_RELATIONSHIPS,
  ASSET_SUMMARIES,
  ASSET_DETAILS,
  HISTORY,
  IMPACT,
  RUN_SCENARIO,
  CANCEL_SCENARIO,
  SCENARIO_RUN,
  RUN_RESULTS,
  RUNS,
  COMPARE,
  STATE_CHANGED,
  RUN_UPDATED,
  TOPOLOGY_CHANGED,
} as const;
