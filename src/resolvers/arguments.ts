import { badInput } from '../errors';
import type { AssetCursor, AssetFilter, AssetSort, PropertyFilter, PropertyOp, Scalar } from '../graph/types';
import { checkAssetId, checkKind, checkPropertyKey, checkRelationshipType } from '../model/validate';
import type { AssetOrder, AssetWhere, PropertyFilter as PropertyFilterInput } from '../generated/graphql';
import { timeArgument } from '../live/state-report';
import type { RequestContext } from './context';

/** Turning GraphQL arguments into store queries, with BAD_USER_INPUT naming the argument. */

export const DEFAULT_PAGE_SIZE = 50;

/**
 * A DateTime argument (ISO-8601 with a zone, or epoch milliseconds: the scalar passes it through,
 * see scalars.ts) as ISO-8601 UTC with milliseconds, checked as strictly as reported timestamps.
 */
export const dateTimeArg = (value: unknown, name: string): string => timeArgument(value, name);

/** An optional DateTime argument: undefined when null or absent. */
export const optionalDateTimeArg = (value: unknown, name: string): string | undefined => (value == null ? undefined : dateTimeArg(value, name));

export function depthArg(ctx: RequestContext, maxDepth: number | null | undefined, name = 'maxDepth'): number {
  const cap = ctx.config.maxTraversalDepth;
  const depth = maxDepth ?? cap;
  if (!Number.isInteger(depth) || depth < 1 || depth > cap) {
    throw badInput(`${name} must be from 1 to ${cap} (MAX_TRAVERSAL_DEPTH), got ${depth}`, { field: name });
  }
  return depth;
}

export function pageSizeArg(ctx: RequestContext, first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  const cap = ctx.config.maxPageSize;
  if (size < 0 || size > cap) throw badInput(`first must be from 0 to ${cap} (MAX_PAGE_SIZE), got ${size}`, { field: 'first' });
  return size;
}

export function typesArg(ctx: RequestContext, types: readonly string[] | null | undefined): string[] | undefined {
  return types ? types.map((t, i) => checkRelationshipType(ctx.model, t, `types[${i}]`)) : undefined;
}

/** A list argument that is not a write batch: at most MAX_LIST_ITEMS items, checked before any work. */
export function listArg<T>(ctx: RequestContext, items: readonly T[], name: string): readonly T[] {
  if (items.length > ctx.config.maxListItems) {
    throw badInput(`${name} has ${items.length} items; at most ${ctx.config.maxListItems} (MAX_LIST_ITEMS)`, { field: name });
  }
  return items;
}

export function idsArg(ids: readonly string[], name: string): string[] {
  return ids.map((id, i) => checkAssetId(id, `${name}[${i}]`));
}

export function batchArg<T>(ctx: RequestContext, items: readonly T[], name = 'input'): readonly T[] {
  if (items.length > ctx.config.maxBatchRecords) {
    throw badInput(`${name} has ${items.length} records; at most ${ctx.config.maxBatchRecords} (MAX_BATCH_RECORDS) per request, use npm run import for more`, { field: name });
  }
  return items;
}

/** Longest `idPrefix` or `nameContains`: longer than any id (200) or name (500) can match. */
const MAX_SEARCH_TEXT = 500;

function searchTextArg(text: string, field: string): string {
  if (text.length > MAX_SEARCH_TEXT) throw badInput(`${field} is ${text.length} characters long; at most ${MAX_SEARCH_TEXT}`, { field });
  return text;
}

export function filterArg(ctx: RequestContext, where: AssetWhere | null | undefined): AssetFilter {
  if (!where) return {};
  const filter: AssetFilter = {};
  if (where.id_in) filter.ids = [...listArg(ctx, where.id_in, 'where.id_in')];
  const kinds = [...(where.kind ? [where.kind] : []), ...listArg(ctx, where.kind_in ?? [], 'where.kind_in')];
  if (where.kind || where.kind_in) filter.kinds = kinds.map((k, i) => checkKind(ctx.model, k, `where.kind${where.kind ? '' : `_in[${i}]`}`));
  if (where.idPrefix != null) filter.idPrefix = searchTextArg(where.idPrefix, 'where.idPrefix');
  if (where.nameContains != null) filter.nameContains = searchTextArg(where.nameContains, 'where.nameContains');
  if (where.status || where.status_in) filter.statuses = [...(where.status ? [where.status] : []), ...listArg(ctx, where.status_in ?? [], 'where.status_in')];
  if (where.properties) {
    if (where.properties.length > ctx.config.maxPropertyFilters) {
      throw badInput(`where.properties has ${where.properties.length} filters; at most ${ctx.config.maxPropertyFilters} (MAX_PROPERTY_FILTERS)`, { field: 'where.properties' });
    }
    filter.properties = where.properties.map((f, i) => propertyFilterArg(ctx, f, `where.properties[${i}]`));
  }
  return filter;
}

const OPS: PropertyOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'];

function propertyFilterArg(ctx: RequestContext, input: PropertyFilterInput, where: string): PropertyFilter {
  const key = checkPropertyKey(input.key, `${where}.key`);
  const given = OPS.filter((op) => input[op] !== undefined && input[op] !== null);
  if (given.length !== 1) throw badInput(`${where}: set exactly one of ${OPS.join(', ')}`, { field: where });
  const op = given[0];
  const raw = input[op];
  if (op === 'exists') return { key, op, value: raw as boolean };
  if (op === 'in') return { key, op, value: listArg(ctx, raw as unknown[], `${where}.in`).map((v, i) => scalarArg(v, `${where}.in[${i}]`)) };
  const value = scalarArg(raw, `${where}.${op}`);
  if (op !== 'eq' && op !== 'ne' && typeof value === 'boolean') throw badInput(`${where}.${op}: cannot order booleans`, { field: where });
  return { key, op, value };
}

function scalarArg(value: unknown, where: string): Scalar {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw badInput(`${where}: must be a string, number or boolean`, { field: where });
}

const SORT_FIELDS = { ID: 'id', NAME: 'name', KIND: 'kind', UPDATED_AT: 'updatedAt', PROPERTY: 'property' } as const;

export function sortArg(order: AssetOrder | null | undefined): AssetSort {
  const field = SORT_FIELDS[order?.field ?? 'ID'];
  const sort: AssetSort = { field, descending: order?.direction === 'DESC' };
  if (field === 'property') {
    if (!order?.property) throw badInput('orderBy.property: required when field is PROPERTY', { field: 'orderBy.property' });
    sort.property = checkPropertyKey(order.property, 'orderBy.property');
  } else if (order?.property) {
    throw badInput('orderBy.property: only used with field PROPERTY', { field: 'orderBy.property' });
  }
  return sort;
}
