import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a chain of synchronous store calls may hold the event loop before it lets I/O in. */
export const DEFAULT_TURN_MS = 20;

/**
 * The embedded store runs SQL synchronously on the event loop, and `await` on a call that did
 * not wait for I/O continues in the same turn: a request that makes many store calls (a
 * traversal level by level, a batch chunk by chunk) would hold every other request, `/livez`
 * and SIGTERM until it ends. Awaited before each store call, `take()` gives the loop a turn
 * (setImmediate, after pending I/O) once `turnMs` have passed since the last one, so the loop is
 * held for at most about `turnMs` plus one statement.
 */
export class EventLoopTurns {
  private lastTurn = performance.now();

  constructor(private readonly turnMs = DEFAULT_TURN_MS) {}

  async take(): Promise<void> {
    if (performance.now() - this.lastTurn < this.turnMs) return;
    await nextTurn();
    this.lastTurn = performance.now();
  }
}
