import { performance } from 'node:perf_hooks';
import type { GraphStore } from '../../src/graph/graph-store';

/** Calls and time per GraphStore method since the last reset. */
export type MeterSnapshot = Record<string, { calls: number; ms: number }>;

/**
 * A layer around a GraphStore that counts calls and adds up the time until each returned
 * promise settles, per method. Used on both sides of the benchmark: in the server (through
 * createApp's `wrapStore`) and around the floor's own store, so the two can be compared call
 * for call. The overhead is one Proxy get and two performance.now() per call.
 */
export class StoreMeter {
  private counts = new Map<string, { calls: number; ms: number }>();

  wrap(store: GraphStore): GraphStore {
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || prop === 'init' || prop === 'close') return value;
        const name = String(prop);
        return (...args: unknown[]) => {
          const started = performance.now();
          const done = () => this.add(name, performance.now() - started);
          const result = value.apply(target, args);
          if (result && typeof (result as Promise<unknown>).then === 'function') {
            return (result as Promise<unknown>).finally(done);
          }
          done();
          return result;
        };
      },
    });
  }

  private add(name: string, ms: number): void {
    const entry = this.counts.get(name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    this.counts.set(name, entry);
  }

  snapshot(): MeterSnapshot {
    return Object.fromEntries([...this.counts].map(([name, v]) => [name, { calls: v.calls, ms: Math.round(v.ms * 100) / 100 }]));
  }

  reset(): void {
    this.counts = new Map();
  }
}

/** Store calls per operation, e.g. `listAssets 1, relationshipsOf 1, getAssets 1`. */
export function callsPerOp(snapshot: MeterSnapshot, ops: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(snapshot)
      .map(([name, v]) => [name, Math.round((v.calls / Math.max(1, ops)) * 100) / 100] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

export function formatCalls(perOp: Record<string, number>): string {
  const entries = Object.entries(perOp);
  if (entries.length === 0) return '-';
  const total = entries.reduce((a, [, n]) => a + n, 0);
  return `${Math.round(total * 10) / 10} (${entries.map(([name, n]) => `${name} ${n}`).join(', ')})`;
}
