import { badInput } from '../errors';
import type { Scalar, StateWrite } from '../graph/types';
import type { MetricDefinition, ModelIndex } from '../model/twin-model';
import { ASSET_ID, PROPERTY_KEY } from '../model/validate';

/**
 * Checking one raw state report. Each function returns a reason string when the report must be
 * REJECTED, so that a batch can go on with its other records.
 */

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const MAX_METRICS = 100;
const MAX_EVENT_ID = 200;
const MAX_STRING_VALUE = 1000;
/** The status metric is allowed on every kind; kinds may narrow it to listed values. */
const STATUS_METRIC: MetricDefinition = { name: 'status', type: 'string' };

/**
 * A timestamp as ISO-8601 UTC milliseconds, or a reason naming it `name`. Accepts ISO with a
 * zone, or epoch ms.
 */
export function parseObservedAt(raw: unknown, name = 'observedAt'): { iso: string } | { reason: string } {
  let ms: number;
  if (typeof raw === 'number') ms = raw;
  else if (raw instanceof Date) ms = raw.getTime();
  else if (typeof raw === 'string' && ISO_WITH_ZONE.test(raw)) {
    if (!calendarFieldsExist(raw)) return { reason: `${name} ${JSON.stringify(raw)} names a date or time that does not exist` };
    ms = Date.parse(raw);
  } else return { reason: `${name} ${JSON.stringify(raw)} is not an ISO-8601 date-time with a time zone or epoch milliseconds` };
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return { reason: `${name} ${JSON.stringify(raw)} is not a valid date-time` };
  return { iso: new Date(ms).toISOString() };
}

/** A date-time argument (`field` names it) as ISO-8601 UTC milliseconds; BAD_USER_INPUT when it is not one. */
export function timeArgument(raw: unknown, field: string): string {
  const parsed = parseObservedAt(raw, `${field}:`);
  if ('reason' in parsed) throw badInput(parsed.reason, { field });
  return parsed.iso;
}

/**
 * Whether the written date and time exist (Date.parse rolls 2026-02-30 over to 2 March and
 * 24:00 to the next day): month 1–12, day within that month, hour < 24, minute and second < 60.
 */
function calendarFieldsExist(iso: string): boolean {
  // ISO_WITH_ZONE has matched: the fields sit at fixed offsets (YYYY-MM-DDTHH:MM[:SS…]); this runs
  // for every record ingested, so no split or Date is built.
  const two = (at: number) => (iso.charCodeAt(at) - 48) * 10 + (iso.charCodeAt(at + 1) - 48);
  const year = two(0) * 100 + two(2);
  const month = two(5);
  const day = two(8);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days && two(11) < 24 && two(14) < 60 && (iso[16] !== ':' || two(17) < 60);
}

/** Structure of a report before the asset is known: id, timestamp, values, event id. */
export function checkReportShape(raw: unknown, now: number, maxFutureSkewMs: number): { write: StateWrite } | { reason: string; assetId: string | null } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { reason: 'a report must be an object with assetId, observedAt and values', assetId: null };
  const r = raw as Record<string, unknown>;
  const assetId = typeof r.assetId === 'string' ? r.assetId : null;
  const fail = (reason: string) => ({ reason, assetId });
  if (assetId === null || !ASSET_ID.test(assetId)) return fail(`assetId ${JSON.stringify(r.assetId)} is malformed`);
  const observed = parseObservedAt(r.observedAt);
  if ('reason' in observed) return fail(observed.reason);
  const aheadMs = Date.parse(observed.iso) - now;
  if (aheadMs > maxFutureSkewMs) {
    return fail(`observedAt ${observed.iso} is ${Math.round(aheadMs / 1000)} s in the future (more than ${maxFutureSkewMs / 1000} s allowed)`);
  }
  const values = r.values;
  if (!values || typeof values !== 'object' || Array.isArray(values)) return fail('values must be an object of metric values');
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) return fail('values is empty');
  if (entries.length > MAX_METRICS) return fail(`values has ${entries.length} metrics; at most ${MAX_METRICS}`);
  for (const [metric, value] of entries) {
    if (!PROPERTY_KEY.test(metric)) return fail(`metric name ${JSON.stringify(metric)} is malformed (letters, digits and _, starting with a letter)`);
    const ok = typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= MAX_STRING_VALUE);
    if (!ok) return fail(`metric ${metric}: value must be a finite number, a boolean or a string of at most ${MAX_STRING_VALUE} characters`);
  }
  const write: StateWrite = { assetId, observedAt: observed.iso, values: values as Record<string, Scalar> };
  if (r.eventId !== undefined && r.eventId !== null) {
    if (typeof r.eventId !== 'string' || r.eventId.length === 0 || r.eventId.length > MAX_EVENT_ID) {
      return fail(`eventId must be a string of 1 to ${MAX_EVENT_ID} characters`);
    }
    write.eventId = r.eventId;
  }
  return { write };
}

/** Values against the model's metric definitions for the asset's kind; a reason or null. */
export function checkMetrics(model: ModelIndex, kind: string, values: Record<string, Scalar>): string | null {
  const defs = model.metrics.get(kind);
  for (const [metric, value] of Object.entries(values)) {
    const def = defs?.get(metric) ?? (metric === 'status' ? STATUS_METRIC : undefined);
    if (!def) {
      if (defs && defs.size > 0) return `metric ${metric} is not defined for kind ${kind} (it has ${[...defs.keys()].join(', ')})`;
      continue;
    }
    if (typeof value !== def.type) return `metric ${metric}: expected a ${def.type}, got ${JSON.stringify(value)}`;
    const unit = def.unit ? ` ${def.unit}` : '';
    if (typeof value === 'number') {
      if (def.min !== undefined && value < def.min) return `metric ${metric}: ${value}${unit} is below the minimum ${def.min}${unit}`;
      if (def.max !== undefined && value > def.max) return `metric ${metric}: ${value}${unit} is above the maximum ${def.max}${unit}`;
    }
    if (typeof value === 'string' && def.values && !def.values.includes(value)) {
      return `metric ${metric}: ${JSON.stringify(value)} is not one of ${def.values.join(', ')}`;
    }
  }
  return null;
}
