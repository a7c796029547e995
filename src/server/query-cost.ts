import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The estimated cost of an operation, with its variables: every field costs 1 (2 with a
 * selection), nested selections weigh 1.2 times more per level; a page field multiplies its
 * selection by `first`/`last`, a traversal by 10 per hop of `maxDepth` (it may return many
 * assets); and every item of a list argument costs 1 (batch records, ids, `in` values), so that a
 * request's size counts as well as its shape. graphql-armor's cost rule sees neither variables
 * nor arguments, which is why this one exists.
 */
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.2;
const ITEMS_PER_HOP = 10;

type Variables = Record<string, unknown> | undefined;

export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getRootType(operation.operation);
  return root ? selectionCost(operation.selectionSet, root, { schema, fragments, variables }) : 0;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
}

function selectionCost(set: SelectionSetNode, parent: GraphQLNamedType, walk: Walk): number {
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(selection, parent, walk);
    } else {
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? walk.fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      const on = fragment.typeCondition ? walk.schema.getType(fragment.typeCondition.name.value) : parent;
      if (on) cost += selectionCost(fragment.selectionSet, on, walk);
    }
  }
  return cost;
}

function fieldCost(field: FieldNode, parent: GraphQLNamedType, walk: Walk): number {
  const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[field.name.value] : undefined;
  if (!def) return SCALAR_COST; // __typename, or a field validation refuses anyway
  const args = new Map<string, unknown>();
  let items = 0;
  for (const arg of def.args) {
    const node = field.arguments?.find((a) => a.name.value === arg.name);
    const value = node ? valueFromAST(node.value, arg.type, walk.variables) : arg.defaultValue;
    args.set(arg.name, value);
    items += listItems(value, arg.type);
  }
  if (!field.selectionSet) return SCALAR_COST + items;
  const children = selectionCost(field.selectionSet, getNamedType(def.type), walk);
  return (OBJECT_COST + DEPTH_FACTOR * children) * multiplier(args) + items;
}

/** How many items the field's selection may be repeated for. */
function multiplier(args: Map<string, unknown>): number {
  const page = positive(args.get('first')) ?? positive(args.get('last'));
  if (page) return page;
  const depth = positive(args.get('maxDepth'));
  return depth ? depth * ITEMS_PER_HOP : 1;
}

const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);

/** Items of every list in an argument value, following its input type (JSON scalars hold no arguments). */
function listItems(value: unknown, type: GraphQLInputType): number {
  if (value === null || value === undefined) return 0;
  const t = getNullableType(type);
  if (isListType(t)) {
    const list = Array.isArray(value) ? value : [value];
    return list.length + list.reduce<number>((n, item) => n + listItems(item, t.ofType), 0);
  }
  if (isInputObjectType(t) && typeof value === 'object') {
    const fields = t.getFields();
    return Object.entries(value as Record<string, unknown>).reduce((n, [k, v]) => n + (fields[k] ? listItems(v, fields[k].type) : 0), 0);
  }
  return 0;
}

/** The refusal, in the shape of the other query limits. */
export function costLimitError(cost: number, maxCost: number): GraphQLError | null {
  if (cost <= maxCost) return null;
  return new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${Math.ceil(cost)}. (the server's MAX_QUERY_COST)`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_QUERY_COST', http: { status: 400 } },
  });
}

/** The cost limit on HTTP operations, checked once the operation and its variables are known. */
export function queryCostLimit(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const refused = costLimitError(operationCost(schema, document, operation, request.variables), maxCost);
          if (refused) throw refused;
        },
      };
    },
  };
}
