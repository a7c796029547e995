import { Kind, type FieldNode, type SelectionNode } from 'graphql';

/**
 * How much of an asset a query asks for, so lists of thousands (hops, relationship endpoints)
 * load no more than they show: nothing beyond the id they already have, a summary (id, kind,
 * name, and the fields that need only the asset's id), or the whole record. Fragments make it unsure, and unsure means the whole record.
 */
export type AssetNeed = 'id' | 'summary' | 'full';

const ID_FIELDS = new Set(['id', '__typename']);
/**
 * What a summary answers: its own fields, and those resolved from the asset's id alone: its
 * topology (from the topology index) and its history (from the history store).
 */
const SUMMARY_FIELDS = new Set(['id', 'kind', 'name', '__typename', 'asOf', 'relationships', 'dependencies', 'dependents', 'history', 'historyBuckets', 'stateAt']);

/**
 * graphql-js hands every item of a list the same `fieldNodes` array (and keeps it as long as the
 * parsed document is cached), so the answer is worked out once per array, not once per item.
 */
const needs = new WeakMap<readonly FieldNode[], AssetNeed>();
const nestedNeeds = new WeakMap<readonly FieldNode[], AssetNeed>();

/** What the given selections of an Asset field need (one field may appear in several nodes). */
export function assetNeed(fieldNodes: readonly FieldNode[]): AssetNeed {
  let need = needs.get(fieldNodes);
  if (need === undefined) needs.set(fieldNodes, (need = needOf(selectionsOf(fieldNodes))));
  return need;
}

/** What the `asset` field of each selected object (e.g. a hop) needs; `id` when it is not selected. */
export function nestedAssetNeed(fieldNodes: readonly FieldNode[]): AssetNeed {
  let need = nestedNeeds.get(fieldNodes);
  if (need === undefined) {
    const selections = selectionsOf(fieldNodes);
    need = selections.some((s) => s.kind !== Kind.FIELD)
      ? 'full'
      : needOf(selectionsOf(selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'asset')));
    nestedNeeds.set(fieldNodes, need);
  }
  return need;
}

const selected = new WeakMap<readonly FieldNode[], Map<string, boolean>>();

/** Whether the selections may ask for `name` on the selected objects: true when they do, or through a fragment (unsure). */
export function selectsField(fieldNodes: readonly FieldNode[], name: string): boolean {
  let byName = selected.get(fieldNodes);
  if (!byName) selected.set(fieldNodes, (byName = new Map()));
  let answer = byName.get(name);
  if (answer === undefined) {
    answer = selectionsOf(fieldNodes).some((s) => s.kind !== Kind.FIELD || s.name.value === name);
    byName.set(name, answer);
  }
  return answer;
}

function selectionsOf(fieldNodes: readonly FieldNode[]): readonly SelectionNode[] {
  return fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
}

function needOf(selections: readonly SelectionNode[]): AssetNeed {
  const within = (allowed: Set<string>) => selections.every((s) => s.kind === Kind.FIELD && allowed.has(s.name.value));
  return within(ID_FIELDS) ? 'id' : within(SUMMARY_FIELDS) ? 'summary' : 'full';
}
