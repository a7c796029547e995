/**
 * The AuditStore contract: appendAudit, listAudit (paging and filters) and pruneAudit.
 * Isolation: see contract-helpers.ts, and the audit trail block below for how its entries are
 * kept apart from other entries of a shared database.
 */
import { AUDIT_MAX_IDS, type AuditEntry, type AuditFilter } from '../../src/graph/audit-types';
import type { GraphStore } from '../../src/graph/graph-store';
import { closeStore, newRun, openStore, type StoreFactory } from './contract-helpers';

export function auditContract(name: string, makeStore: StoreFactory): void {
  describe(`AuditStore contract: ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;

    beforeAll(async () => {
      store = await openStore(makeStore);
    });

    afterAll(() => closeStore(store, runId));

    describe('audit trail', () => {
      /**
       * Entries cannot be deleted one by one, only pruned by time: every entry this block writes is
       * dated in a far-past window of this run (a random year between 100 and 899, nowhere near
       * real entries), one day per test, and the block prunes up to the end of that window when it
       * ends. Actors, operations and ids carry the test's prefix, and every listing is filtered by
       * one of them, so other entries of a shared database never show up in what a test asserts.
       */
      const auditBase = Date.UTC(100 + Math.floor(Math.random() * 800), 0, 1);
      let auditDays = 0;
      /** A day of its own for a test: `at(i)` is i seconds into it. */
      const newDay = () => {
        const start = auditBase + ++auditDays * 86_400_000;
        return (seconds: number) => new Date(start + seconds * 1000).toISOString();
      };
      afterAll(async () => {
        if (store) await store.pruneAudit(new Date(auditBase + (auditDays + 1) * 86_400_000).toISOString());
      });

      /** Entry `n` of a test: its id starts with its time, so ids sort in time order. */
      function entry(p: string, at: string, n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
        return {
          id: `${at}-${p}${String(n).padStart(3, '0')}`,
          at,
          actor: `${p}alice`,
          role: 'editor',
          operation: `${p}upsertAssets`,
          ids: [`${p}a`],
          idCount: 1,
          outcome: 'OK',
          error: null,
          ...overrides,
        };
      }

      /**
       * Walk listAudit pages of `size` to the end. Checks that entries come strictly newest first
       * (by id), without repeats, and that every page but the last is full and announces more.
       */
      async function walkAudit(filter: AuditFilter, size = 100) {
        const entries: AuditEntry[] = [];
        const pages: { size: number; hasNextPage: boolean }[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 1000; guard++) {
          const page = await store.listAudit(filter, size, after);
          entries.push(...page.entries);
          pages.push({ size: page.entries.length, hasNextPage: page.hasNextPage });
          if (!page.hasNextPage || page.entries.length === 0) break;
          after = page.entries[page.entries.length - 1].id;
        }
        expect(entries.every((e, i) => i === 0 || entries[i - 1].id > e.id)).toBe(true);
        expect(pages.slice(0, -1).every((pg) => pg.size === size && pg.hasNextPage)).toBe(true);
        return { entries, pages };
      }

      test('appended entries come back exactly, ids list and idCount included', async () => {
        const p = newPrefix();
        const at = newDay();
        const many = Array.from({ length: AUDIT_MAX_IDS }, (_, i) => `${p}asset-${i}`);
        const written = [
          entry(p, at(0), 0, { ids: [`${p}a`, `${p}b`], idCount: 2 }),
          entry(p, at(1), 1, { role: 'admin', operation: `${p}deleteAssets`, ids: [], idCount: 0, outcome: 'ERROR', error: 'NOT_FOUND' }),
          // Only the first AUDIT_MAX_IDS ids are kept; the count covers them all.
          entry(p, at(2), 2, { operation: `${p}relate "ünïcödé"`, ids: many, idCount: 1500 }),
        ];
        await store.appendAudit(written);
        await store.appendAudit([]);
        const page = await store.listAudit({ actor: `${p}alice` }, 10);
        expect(page).toEqual({ entries: [...written].reverse(), hasNextPage: false });
        expect(page.entries[0].ids).toHaveLength(AUDIT_MAX_IDS);
        expect(page.entries[0].ids).toEqual(many);
      });

      test('pages newest first by id, without gaps or repeats', async () => {
        const p = newPrefix();
        const at = newDay();
        const N = 11;
        const alice = Array.from({ length: N }, (_, i) => entry(p, at(2 * i), i));
        // Another actor's entries in between, which the filter leaves out.
        const bob = Array.from({ length: 5 }, (_, i) => entry(p, at(2 * i + 1), 100 + i, { actor: `${p}bob` }));
        // Appended out of time order, over several calls.
        const order = [7, 2, 10, 0, 5, 9, 1, 4, 8, 3, 6];
        await store.appendAudit(order.slice(0, 4).map((i) => alice[i]));
        await store.appendAudit([...bob, ...order.slice(4, 8).map((i) => alice[i])]);
        await store.appendAudit(order.slice(8).map((i) => alice[i]));

        const newestFirst = [...alice].reverse();
        const { entries, pages } = await walkAudit({ actor: `${p}alice` }, 4);
        expect(entries).toEqual(newestFirst);
        expect(pages).toEqual([
          { size: 4, hasNextPage: true },
          { size: 4, hasNextPage: true },
          { size: 3, hasNextPage: false },
        ]);
        // A page starts right after the entry given as `after`.
        const one = await store.listAudit({ actor: `${p}alice` }, 1, newestFirst[5].id);
        expect(one).toEqual({ entries: [newestFirst[6]], hasNextPage: true });
        // Nothing after the oldest.
        expect(await store.listAudit({ actor: `${p}alice` }, 10, alice[0].id)).toEqual({ entries: [], hasNextPage: false });
        // A page size is taken whole and never below 0.
        expect(await store.listAudit({ actor: `${p}alice` }, 2.7)).toEqual({ entries: newestFirst.slice(0, 2), hasNextPage: true });
        expect(await store.listAudit({ actor: `${p}alice` }, 0)).toEqual({ entries: [], hasNextPage: true });
        expect(await store.listAudit({ actor: `${p}alice` }, -1)).toEqual({ entries: [], hasNextPage: true });
        expect(await store.listAudit({ actor: `${p}alice` }, 0, alice[0].id)).toEqual({ entries: [], hasNextPage: false });
        // Both actors together, interleaved in time.
        const both = await walkAudit({ operation: `${p}upsertAssets` }, 3);
        expect(both.entries.map((e) => e.id)).toEqual([...alice, ...bob].map((e) => e.id).sort().reverse());
      });

      test('filters by actor, operation, asset id and time, alone and combined', async () => {
        const p = newPrefix();
        const at = newDay();
        const op = (name: string) => `${p}${name}`;
        const written = [
          entry(p, at(0), 0, { operation: op('upsertAssets'), ids: [`${p}a`, `${p}b`], idCount: 2 }),
          entry(p, at(1), 1, { actor: `${p}bob`, operation: op('relate'), ids: [`${p}ab`], idCount: 1 }),
          entry(p, at(2), 2, { operation: op('relate'), ids: [`${p}b`], idCount: 1 }),
          entry(p, at(3), 3, { actor: `${p}bob`, operation: op('upsertAssets'), ids: [`${p}a`], idCount: 1, outcome: 'ERROR', error: 'BAD_INPUT' }),
          entry(p, at(4), 4, { operation: op('deleteAssets'), ids: [], idCount: 0 }),
        ];
        await store.appendAudit(written);
        const label = new Map(written.map((e, i) => [e.id, `e${i}`]));
        const labels = async (filter: AuditFilter, size = 100) => (await walkAudit(filter, size)).entries.map((e) => label.get(e.id) ?? e.id);

        expect(await labels({ actor: `${p}alice` })).toEqual(['e4', 'e2', 'e0']);
        expect(await labels({ actor: `${p}bob` })).toEqual(['e3', 'e1']);
        expect(await labels({ actor: `${p}nobody` })).toEqual([]);
        expect(await labels({ operation: op('upsertAssets') })).toEqual(['e3', 'e0']);
        expect(await labels({ operation: op('relate'), actor: `${p}alice` })).toEqual(['e2']);
        // An asset id matches one of the ids exactly (`a` is not in [`ab`]).
        expect(await labels({ assetId: `${p}a` })).toEqual(['e3', 'e0']);
        expect(await labels({ assetId: `${p}b` })).toEqual(['e2', 'e0']);
        expect(await labels({ assetId: `${p}ab` })).toEqual(['e1']);
        expect(await labels({ assetId: `${p}missing` })).toEqual([]);
        expect(await labels({ assetId: `${p}a`, actor: `${p}alice` })).toEqual(['e0']);
        // since is inclusive, until exclusive.
        expect(await labels({ actor: `${p}alice`, since: at(2) })).toEqual(['e4', 'e2']);
        expect(await labels({ actor: `${p}alice`, until: at(2) })).toEqual(['e0']);
        expect(await labels({ actor: `${p}alice`, since: at(0), until: at(4) })).toEqual(['e2', 'e0']);
        expect(await labels({ actor: `${p}bob`, since: at(1), until: at(3) })).toEqual(['e1']);
        expect(await labels({ assetId: `${p}a`, since: at(1), until: at(5) })).toEqual(['e3']);
        expect(await labels({ actor: `${p}alice`, since: at(3), until: at(3) })).toEqual([]);
        // Filtered pages of one.
        expect(await labels({ operation: op('upsertAssets') }, 1)).toEqual(['e3', 'e0']);
        const first = await store.listAudit({ assetId: `${p}b` }, 1);
        expect(first).toEqual({ entries: [written[2]], hasNextPage: true });
        expect(await store.listAudit({ assetId: `${p}b` }, 1, first.entries[0].id)).toEqual({ entries: [written[0]], hasNextPage: false });
      });

      test('an entry whose id is already stored is ignored', async () => {
        const p = newPrefix();
        const at = newDay();
        const first = entry(p, at(0), 0, { ids: [`${p}a`], idCount: 1 });
        await store.appendAudit([first]);
        // Again, changed: ignored, the rest of the batch still appended.
        const changed: AuditEntry = { ...first, role: 'admin', operation: `${p}other`, ids: [`${p}z`], idCount: 9, outcome: 'ERROR', error: 'CONFLICT' };
        const second = entry(p, at(1), 1);
        await store.appendAudit([changed, second]);
        // Twice in one batch: the first one given is kept.
        const third = entry(p, at(2), 2, { ids: [`${p}c`] });
        await store.appendAudit([third, { ...third, operation: `${p}other`, ids: [`${p}z`] }, first]);

        expect(await walkAudit({ actor: `${p}alice` })).toEqual({ entries: [third, second, first], pages: [{ size: 3, hasNextPage: false }] });
        expect((await walkAudit({ operation: `${p}other` })).entries).toEqual([]);
        expect((await walkAudit({ assetId: `${p}z` })).entries).toEqual([]);
      });

      test('pruneAudit deletes the entries older than the given time and says how many', async () => {
        const p = newPrefix();
        const at = newDay();
        // Anything left before this test's day (an earlier test's or an aborted run's entries) goes
        // first, so that the counts below are this test's alone.
        await store.pruneAudit(at(0));
        const alice = Array.from({ length: 5 }, (_, i) => entry(p, at(i), i));
        const bob = entry(p, at(2), 9, { actor: `${p}bob` });
        await store.appendAudit([...alice, bob]);

        expect(await store.pruneAudit(at(0))).toBe(0);
        // Strictly older only: the entries at at(2) stay.
        expect(await store.pruneAudit(at(2))).toBe(2);
        expect((await walkAudit({ actor: `${p}alice` })).entries).toEqual([alice[4], alice[3], alice[2]]);
        expect((await walkAudit({ actor: `${p}bob` })).entries).toEqual([bob]);
        expect(await store.pruneAudit(at(2))).toBe(0);
        // A prune of what is left, whatever the actor.
        expect(await store.pruneAudit(at(5))).toBe(4);
        expect((await walkAudit({ operation: `${p}upsertAssets` })).entries).toEqual([]);
        // The pruned ids are free: appending one again stores it anew.
        await store.appendAudit([alice[0]]);
        expect((await walkAudit({ actor: `${p}alice` })).entries).toEqual([alice[0]]);
      });
    });
  });
}
