import { AsyncLocalStorage } from 'node:async_hooks';
import { DomainError } from '../errors';

/** The reader running now (a request, or a scenario job): when it began and its deadline (Infinity: none). */
interface Reader {
  startedAt: number;
  at: number;
  ms: number;
}

const current = new AsyncLocalStorage<Reader>();

/**
 * Run `fn` (an API request) with a deadline of `ms` (QUERY_TIMEOUT_MS) for its store reads: a
 * read that would start after it fails with TIMEOUT. Each Neo4j transaction has the same limit
 * on the server; this bounds a request that makes many store calls (a traversal level by level,
 * an impact over thousands of assets), which is how long work runs on the embedded store.
 */
export function withRequestDeadline<T>(ms: number, fn: () => T): T {
  const now = performance.now();
  return current.run({ startedAt: now, at: now + ms, ms }, fn);
}

/**
 * Run `fn` (a scenario job) as one reader, like a request but without a deadline (a job may run
 * far longer than a request): the topology index catches up once for all of its reads, with
 * what was committed before it began.
 */
export function asOneReader<T>(fn: () => T): T {
  return current.run({ startedAt: performance.now(), at: Infinity, ms: Infinity }, fn);
}

/** Throw TIMEOUT when the current request's deadline has passed (no-op outside a request). */
export function checkRequestDeadline(): void {
  const deadline = current.getStore();
  if (deadline && performance.now() > deadline.at) {
    throw new DomainError('TIMEOUT', `The request ran longer than QUERY_TIMEOUT_MS (${deadline.ms} ms) and was stopped`, { limit: 'QUERY_TIMEOUT_MS' });
  }
}

/** Run `fn` outside any request's deadline: work a request starts but others share (a catch-up of the topology index). */
export function withoutRequestDeadline<T>(fn: () => T): T {
  return current.exit(fn);
}

/** When the current request began (performance.now()), or undefined outside a request. */
export function requestStartedAt(): number | undefined {
  return current.getStore()?.startedAt;
}
