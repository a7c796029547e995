import { badInput } from '../errors';

/**
 * Cursors and the replay log of live events: what lets a subscriber that reconnects with the
 * last cursor it saw receive every event it missed (src/live/event-queue.ts).
 *
 * A cursor is `<ms>-<seq>`, ordered by (ms, seq): a Redis Stream entry id when REDIS_URL is set,
 * else this process's start time and a counter, so that a cursor from before a restart without
 * Redis is older than anything kept and reports a gap.
 */
export interface Cursor {
  ms: number;
  seq: number;
}

/** One event as it was published, with its cursor. */
export interface LoggedEvent {
  cursor: string;
  message: unknown;
}

/** The events after a cursor; `gap` when some of them were no longer kept. */
export interface Replay {
  gap: boolean;
  events: LoggedEvent[];
}

/** How long and how much of the log is kept (LIVE_REPLAY_SECONDS, LIVE_REPLAY_MAX_EVENTS). */
export interface ReplayLimits {
  maxEvents: number;
  seconds: number;
}

/** The limits when none are given (tests, tools): the config's defaults. */
export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { maxEvents: 100_000, seconds: 300 };

const CURSOR = /^(\d{1,15})-(\d{1,15})$/;

export function parseCursor(text: string): Cursor | null {
  const m = CURSOR.exec(text);
  return m ? { ms: Number(m[1]), seq: Number(m[2]) } : null;
}

/** The cursor of `after`, or BAD_USER_INPUT naming it. */
export function cursorArg(text: string, field = 'after'): Cursor {
  const cursor = parseCursor(text);
  if (!cursor) throw badInput(`${field}: "${text.slice(0, 40)}" is not a cursor of this API (give the cursor of the last event received)`, { field });
  return cursor;
}

export const compareCursors = (a: Cursor, b: Cursor) => a.ms - b.ms || a.seq - b.seq;

export const formatCursor = (c: Cursor) => `${c.ms}-${c.seq}`;

/** Whether `cursor` comes after `last`; an unknown position on either side counts as after (nothing dropped on a guess). */
export function isAfter(cursor: string | null, last: Cursor | null): boolean {
  const at = cursor === null ? null : parseCursor(cursor);
  return at === null || last === null || compareCursors(at, last) > 0;
}

const TRIM_STEP = 1024;

/** The replay log of one channel inside one process (no Redis): capped by count and age. */
export class MemoryEventLog {
  private readonly events: (LoggedEvent & { at: Cursor; keptSince: number })[] = [];
  /** Everything up to here has been dropped; starts at this process's start. */
  private dropped: Cursor;
  private seq = 0;
  private readonly epoch: number;

  constructor(private readonly limits: ReplayLimits) {
    this.epoch = Date.now();
    this.dropped = { ms: this.epoch, seq: 0 };
  }

  /** Keep `message`; returns its cursor. */
  append(message: unknown): string {
    const at = { ms: this.epoch, seq: ++this.seq };
    const cursor = formatCursor(at);
    this.events.push({ cursor, message, at, keptSince: Date.now() });
    // Trimmed in steps (each is a copy of the array), and exactly before every replay.
    if (this.events.length > this.limits.maxEvents + TRIM_STEP || this.seq % TRIM_STEP === 0) this.trim();
    return cursor;
  }

  replay(after: Cursor): Replay {
    this.trim();
    const gap = compareCursors(after, this.dropped) < 0;
    let i = this.events.length;
    while (i > 0 && compareCursors(this.events[i - 1].at, after) > 0) i--;
    return { gap, events: this.events.slice(i).map(({ cursor, message }) => ({ cursor, message })) };
  }

  private trim(): void {
    const oldest = Date.now() - this.limits.seconds * 1000;
    let drop = Math.max(0, this.events.length - this.limits.maxEvents);
    while (drop < this.events.length && this.events[drop].keptSince < oldest) drop++;
    if (drop === 0) return;
    this.dropped = this.events[drop - 1].at;
    this.events.splice(0, drop);
  }
}
