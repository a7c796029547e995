import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * How a relationship type carries dependency:
 * FORWARD: the target depends on the source; REVERSE: the source depends on the target;
 * NONE: structural only, never followed by dependency or impact traversal.
 */
export type DependencyDirection = 'FORWARD' | 'REVERSE' | 'NONE';

export interface AssetKind {
  name: string;
  description?: string;
}

export interface RelationshipType {
  name: string;
  dependency: DependencyDirection;
  description?: string;
}

/** The twin model: the catalog of asset kinds and relationship types a twin may use. */
export interface TwinModel {
  name: string;
  version: string;
  kinds: AssetKind[];
  relationshipTypes: RelationshipType[];
}

/** Lookups derived once from a model; what the stores and validators actually use. */
export interface ModelIndex {
  model: TwinModel;
  kinds: ReadonlySet<string>;
  types: ReadonlyMap<string, RelationshipType>;
  /** Types whose target depends on their source. */
  forwardTypes: string[];
  /** Types whose source depends on their target. */
  reverseTypes: string[];
}

const BUILTIN_MODEL_FILE = path.join(__dirname, 'datacenter.model.yaml');
const KIND_NAME = /^[A-Z][A-Za-z0-9_]{0,63}$/;
/** Relationship type names become Cypher relationship types, so they are kept to this shape. */
export const RELATIONSHIP_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const DIRECTIONS: DependencyDirection[] = ['FORWARD', 'REVERSE', 'NONE'];

/** Load the model named by `file` (JSON or YAML), or the built-in data-center model when absent. */
export function loadTwinModel(file?: string): TwinModel {
  const builtin = parseModel(readModelText(readFileSync(BUILTIN_MODEL_FILE, 'utf8'), BUILTIN_MODEL_FILE), BUILTIN_MODEL_FILE);
  if (!file) return builtin;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`TWIN_MODEL: cannot read model file ${file}: ${(err as Error).message}`);
  }
  const raw = readModelText(text, file);
  if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).extends !== undefined) {
    const extendsName = (raw as Record<string, unknown>).extends;
    if (extendsName !== builtin.name) {
      throw new Error(`TWIN_MODEL ${file}: extends must be "${builtin.name}" (the built-in model), got ${JSON.stringify(extendsName)}`);
    }
    const own = parseModel(raw, file, { partial: true });
    return checkModel(
      {
        name: own.name,
        version: own.version,
        kinds: mergeByName(builtin.kinds, own.kinds),
        relationshipTypes: mergeByName(builtin.relationshipTypes, own.relationshipTypes),
      },
      file,
    );
  }
  return parseModel(raw, file);
}

/** Parse JSON or YAML text, naming the file when it is neither. */
function readModelText(text: string, file: string): unknown {
  try {
    return YAML.parse(text);
  } catch (err) {
    throw new Error(`Model file ${file} is not valid JSON or YAML: ${(err as Error).message}`);
  }
}

function mergeByName<T extends { name: string }>(base: T[], extra: T[]): T[] {
  const byName = new Map(base.map((item) => [item.name, item]));
  for (const item of extra) byName.set(item.name, item);
  return [...byName.values()];
}

function parseModel(raw: unknown, file: string, opts: { partial?: boolean } = {}): TwinModel {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`Model file ${file} must contain an object`);
  const obj = raw as Record<string, unknown>;
  const list = (key: string): Record<string, unknown>[] => {
    const value = obj[key] ?? [];
    if (!Array.isArray(value)) throw new Error(`Model file ${file}: "${key}" must be a list`);
    value.forEach((item: unknown, i) => {
      if (!item || typeof item !== 'object' || typeof (item as Record<string, unknown>).name !== 'string') {
        throw new Error(`Model file ${file}: ${key}[${i}] must be an object with a name (a string), got ${JSON.stringify(item)}`);
      }
    });
    return value as Record<string, unknown>[];
  };
  const model: TwinModel = {
    name: String(obj.name ?? path.basename(file)),
    version: String(obj.version ?? '0.0.0'),
    kinds: list('kinds').map((k) => ({ name: String(k.name), description: optionalString(k.description) })),
    relationshipTypes: list('relationshipTypes').map((t) => ({
      name: String(t.name),
      dependency: String(t.dependency ?? 'NONE') as DependencyDirection,
      description: optionalString(t.description),
    })),
  };
  for (const [what, items] of [['kind', model.kinds], ['relationship type', model.relationshipTypes]] as const) {
    const seen = new Set<string>();
    for (const { name } of items) {
      if (seen.has(name)) throw new Error(`Model file ${file}: ${what} ${JSON.stringify(name)} is declared twice`);
      seen.add(name);
    }
  }
  return opts.partial ? model : checkModel(model, file);
}

const optionalString = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

function checkModel(model: TwinModel, file: string): TwinModel {
  const fail = (msg: string): never => {
    throw new Error(`Model file ${file}: ${msg}`);
  };
  if (model.kinds.length === 0) fail('declares no asset kinds');
  for (const kind of model.kinds) {
    if (!KIND_NAME.test(kind.name)) fail(`kind name ${JSON.stringify(kind.name)} must match ${KIND_NAME}`);
  }
  for (const type of model.relationshipTypes) {
    if (!RELATIONSHIP_TYPE_NAME.test(type.name)) {
      fail(`relationship type ${JSON.stringify(type.name)} must match ${RELATIONSHIP_TYPE_NAME}`);
    }
    if (!DIRECTIONS.includes(type.dependency)) {
      fail(`relationship type ${type.name}: dependency must be one of ${DIRECTIONS.join(', ')}`);
    }
  }
  return model;
}

export function indexModel(model: TwinModel): ModelIndex {
  const types = new Map(model.relationshipTypes.map((t) => [t.name, t]));
  return {
    model,
    kinds: new Set(model.kinds.map((k) => k.name)),
    types,
    forwardTypes: model.relationshipTypes.filter((t) => t.dependency === 'FORWARD').map((t) => t.name),
    reverseTypes: model.relationshipTypes.filter((t) => t.dependency === 'REVERSE').map((t) => t.name),
  };
}
