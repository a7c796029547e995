import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line written while handling one request (or job) carries, e.g. `{ reqId }`. */
export type LogFields = Record<string, string | number>;

const storage = new AsyncLocalStorage<LogFields>();

/** Run `fn` (and everything it starts) with `fields` added to every log line it writes. */
export function runWithLogFields<T>(fields: LogFields, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...fields } : fields, fn);
}

/**
 * The fields of the current request or job; pino's `mixin` (src/logger.ts), so a resolver or
 * the error formatter logs the request id without being handed it. Fields given in the log call
 * itself win over these.
 */
export function currentLogFields(): LogFields {
  return storage.getStore() ?? {};
}
