import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * How a relationship type carries dependency:
 * FORWARD: the target depends on the source; REVERSE: the source depends on the target;
 * NONE: structural only, never followed by dependency or impact traversal.
 */
export type DependencyDirection = 'FORWARD' | 'REVERSE' | 'NONE';

export type MetricType = 'number' | 'string' | 'boolean';

/** A live metric an asset kind reports; `reportState` checks values against it. */
export interface MetricDefinition {
  name: string;
  type: MetricType;
  unit?: string;
  min?: number;
  max?: number;
  /** For strings: the allowed values. */
  values?: string[];
}

export interface AssetKind {
  name: string;
  description?: string;
  /**
   * Metrics this kind reports. When a kind declares any, other metrics are refused; a kind that
   * declares none takes any scalar values. `status` is always allowed (a string).
   */
  metrics?: MetricDefinition[];
  /** How often reports are expected; an asset silent for longer (times STALE_FACTOR) is stale. */
  expectedIntervalSeconds?: number;
  /** The number metric that is an asset's observed demand in kW (LOAD with `demand: OBSERVED`). */
  demandMetric?: string;
  /** The number metric that is an asset's observed load in kW (what LOAD predictions are checked against). */
  loadMetric?: string;
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
  /** Declared metrics by kind, then by metric name. */
  metrics: ReadonlyMap<string, ReadonlyMap<string, MetricDefinition>>;
  /** Expected report interval by kind, where declared. */
  expectedIntervalSeconds: ReadonlyMap<string, number>;
  /** Observed-demand and observed-load metrics by kind, where declared. */
  demandMetric: ReadonlyMap<string, string>;
  loadMetric: ReadonlyMap<string, string>;
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
    kinds: list('kinds').map((k) => parseKind(k, file)),
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

const METRIC_TYPES: MetricType[] = ['number', 'string', 'boolean'];

/** A kind; its `metrics` are written as a map from metric name to `{ type, unit, min, max, values }`. */
function parseKind(raw: Record<string, unknown>, file: string): AssetKind {
  const name = String(raw.name);
  const fail = (msg: string): never => {
    throw new Error(`Model file ${file}: kind ${name}: ${msg}`);
  };
  const kind: AssetKind = { name, description: optionalString(raw.description) };
  if (raw.expectedIntervalSeconds !== undefined) {
    const seconds = raw.expectedIntervalSeconds;
    if (typeof seconds !== 'number' || !(seconds > 0)) fail('expectedIntervalSeconds must be a positive number');
    kind.expectedIntervalSeconds = seconds as number;
  }
  for (const field of ['demandMetric', 'loadMetric'] as const) {
    if (raw[field] !== undefined) kind[field] = String(raw[field]);
  }
  if (raw.metrics !== undefined) {
    if (!raw.metrics || typeof raw.metrics !== 'object' || Array.isArray(raw.metrics)) fail('metrics must be a map of metric name to definition');
    kind.metrics = Object.entries(raw.metrics as Record<string, Record<string, unknown> | null>).map(([metric, def]) => {
      const d = def ?? {};
      const type = String(d.type ?? 'number') as MetricType;
      if (!METRIC_TYPES.includes(type)) fail(`metric ${metric}: type must be one of ${METRIC_TYPES.join(', ')}`);
      for (const bound of ['min', 'max'] as const) {
        if (d[bound] !== undefined && typeof d[bound] !== 'number') fail(`metric ${metric}: ${bound} must be a number`);
      }
      if (d.values !== undefined && !(Array.isArray(d.values) && d.values.every((v) => typeof v === 'string'))) {
        fail(`metric ${metric}: values must be a list of strings`);
      }
      const out: MetricDefinition = { name: metric, type };
      if (d.unit !== undefined) out.unit = String(d.unit);
      if (d.min !== undefined) out.min = d.min as number;
      if (d.max !== undefined) out.max = d.max as number;
      if (d.values !== undefined) out.values = d.values as string[];
      return out;
    });
  }
  for (const field of ['demandMetric', 'loadMetric'] as const) {
    const metric = kind[field];
    // A kind that declares metrics must declare this one, as a number; one that declares none takes any.
    const def = kind.metrics?.find((m) => m.name === metric);
    if (metric !== undefined && kind.metrics && def?.type !== 'number') fail(`${field} ${metric} must be one of its number metrics`);
  }
  return kind;
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
    metrics: new Map(model.kinds.map((k) => [k.name, new Map((k.metrics ?? []).map((m) => [m.name, m]))])),
    expectedIntervalSeconds: new Map(
      model.kinds.filter((k) => k.expectedIntervalSeconds !== undefined).map((k) => [k.name, k.expectedIntervalSeconds!]),
    ),
    demandMetric: new Map(model.kinds.filter((k) => k.demandMetric !== undefined).map((k) => [k.name, k.demandMetric!])),
    loadMetric: new Map(model.kinds.filter((k) => k.loadMetric !== undefined).map((k) => [k.name, k.loadMetric!])),
    types,
    forwardTypes: model.relationshipTypes.filter((t) => t.dependency === 'FORWARD').map((t) => t.name),
    reverseTypes: model.relationshipTypes.filter((t) => t.dependency === 'REVERSE').map((t) => t.name),
  };
}
