import { badInput } from '../errors';
import type { AssetWrite, Properties, PropertyValue, RelationshipKey, RelationshipWrite, Scalar } from './records';
import { RELATIONSHIP_TYPE_NAME, type ModelIndex } from './twin-model';

/** Caller-chosen ids: 1-200 characters, starting with a letter or digit, no spaces or quotes. */
export const ASSET_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;
/** Property keys become Neo4j property names and JSON paths, so they keep to identifiers. */
export const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
/** Names the store uses itself; a property cannot take them. */
export const RESERVED_PROPERTY_KEYS = new Set(['id', 'kind', 'name', 'status', 'state', 'version', 'createdAt', 'updatedAt']);
const MAX_NAME_LENGTH = 500;
const MAX_STRING_LENGTH = 10_000;
/** Keys of one asset's or relationship's properties, and items of one list property. */
export const MAX_PROPERTY_KEYS = 200;
const MAX_LIST_PROPERTY_ITEMS = 1000;

/** Where a bad value sits, e.g. `input[3].properties.rated`; used in every error message. */
type Where = string;

export function checkAssetId(id: unknown, where: Where): string {
  if (typeof id !== 'string' || !ASSET_ID.test(id)) {
    throw badInput(`${where}: asset id ${JSON.stringify(id)} is malformed (1-200 characters: letters, digits and _ . : @ / -, starting with a letter or digit)`, { field: where });
  }
  return id;
}

export function checkKind(model: ModelIndex, kind: unknown, where: Where): string {
  if (typeof kind !== 'string' || !model.kinds.has(kind)) {
    throw badInput(`${where}: unknown asset kind ${JSON.stringify(kind)}; the model "${model.model.name}" has ${[...model.kinds].join(', ')}`, { field: where });
  }
  return kind;
}

export function checkRelationshipType(model: ModelIndex, type: unknown, where: Where): string {
  if (typeof type !== 'string' || !RELATIONSHIP_TYPE_NAME.test(type) || !model.types.has(type)) {
    throw badInput(`${where}: unknown relationship type ${JSON.stringify(type)}; the model "${model.model.name}" has ${[...model.types.keys()].join(', ')}`, { field: where });
  }
  return type;
}

export function checkPropertyKey(key: string, where: Where): string {
  if (!PROPERTY_KEY.test(key)) {
    throw badInput(`${where}: property key ${JSON.stringify(key)} is malformed (letters, digits and _, starting with a letter)`, { field: where });
  }
  if (RESERVED_PROPERTY_KEYS.has(key)) {
    throw badInput(`${where}: property key "${key}" is reserved (${[...RESERVED_PROPERTY_KEYS].join(', ')})`, { field: where });
  }
  return key;
}

function checkScalar(value: unknown, where: Where): Scalar {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) throw badInput(`${where}: string longer than ${MAX_STRING_LENGTH} characters`, { field: where });
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badInput(`${where}: number must be finite`, { field: where });
    return value;
  }
  throw badInput(`${where}: property values must be strings, numbers, booleans or lists of one of those; got ${describe(value)}`, { field: where });
}

function checkPropertyValue(value: unknown, where: Where): PropertyValue {
  if (!Array.isArray(value)) return checkScalar(value, where);
  if (value.length > MAX_LIST_PROPERTY_ITEMS) throw badInput(`${where}: a list property holds at most ${MAX_LIST_PROPERTY_ITEMS} items, got ${value.length}`, { field: where });
  const items = value.map((item, i) => checkScalar(item, `${where}[${i}]`));
  const types = new Set(items.map((item) => typeof item));
  if (types.size > 1) throw badInput(`${where}: a list property must hold values of one type, got ${[...types].join(' and ')}`, { field: where });
  return items;
}

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a nested object' : typeof value;

/** Properties of a write: null values are kept (they remove keys) when `allowNull`. */
export function checkProperties(raw: unknown, where: Where, allowNull: true): Record<string, PropertyValue | null>;
export function checkProperties(raw: unknown, where: Where, allowNull?: false): Properties;
export function checkProperties(raw: unknown, where: Where, allowNull = false): Record<string, PropertyValue | null> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badInput(`${where}: properties must be an object`, { field: where });
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_PROPERTY_KEYS) throw badInput(`${where}: at most ${MAX_PROPERTY_KEYS} properties, got ${entries.length}`, { field: where });
  const out: Record<string, PropertyValue | null> = {};
  for (const [key, value] of entries) {
    checkPropertyKey(key, `${where}.${key}`);
    if (value === null && allowNull) out[key] = null;
    else out[key] = checkPropertyValue(value, `${where}.${key}`);
  }
  return out;
}

/** Validate one asset write; throws BAD_USER_INPUT naming the field, e.g. `input[2].kind`. */
export function checkAssetWrite(model: ModelIndex, raw: AssetWrite, where: Where): AssetWrite {
  if (!raw || typeof raw !== 'object') throw badInput(`${where}: must be an object with id and kind`, { field: where });
  const name = raw.name;
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
    throw badInput(`${where}.name: must be a string of at most ${MAX_NAME_LENGTH} characters`, { field: `${where}.name` });
  }
  const write: AssetWrite = {
    id: checkAssetId(raw.id, `${where}.id`),
    kind: checkKind(model, raw.kind, `${where}.kind`),
    properties: checkProperties(raw.properties, `${where}.properties`, true),
  };
  if (name !== undefined) write.name = name;
  return write;
}

export function checkRelationshipKey(model: ModelIndex, raw: RelationshipKey, where: Where): RelationshipKey {
  if (!raw || typeof raw !== 'object') throw badInput(`${where}: must be an object with from, to and type`, { field: where });
  return {
    from: checkAssetId(raw.from, `${where}.from`),
    to: checkAssetId(raw.to, `${where}.to`),
    type: checkRelationshipType(model, raw.type, `${where}.type`),
  };
}

/** Redundancy settings are ordinary edge properties, but with a meaning: check it. */
export function checkRelationshipWrite(model: ModelIndex, raw: RelationshipWrite, where: Where): RelationshipWrite {
  const key = checkRelationshipKey(model, raw, where);
  const properties = checkProperties(raw.properties, `${where}.properties`);
  const { minLive, redundancyGroup } = properties;
  if (minLive !== undefined && !(typeof minLive === 'number' && Number.isInteger(minLive) && minLive >= 1)) {
    throw badInput(`${where}.properties.minLive: must be a whole number of at least 1`, { field: `${where}.properties.minLive` });
  }
  if (redundancyGroup !== undefined && typeof redundancyGroup !== 'string') {
    throw badInput(`${where}.properties.redundancyGroup: must be a string`, { field: `${where}.properties.redundancyGroup` });
  }
  return { ...key, properties };
}

/** Validate a whole batch before anything is written; the first bad record fails it. */
export function checkBatch<T, R>(items: T[], check: (item: T, where: Where) => R, label = 'input'): R[] {
  return items.map((item, index) => {
    try {
      return check(item, `${label}[${index}]`);
    } catch (err) {
      if (err instanceof Error && 'details' in err) Object.assign((err as { details: object }).details, { index });
      throw err;
    }
  });
}
