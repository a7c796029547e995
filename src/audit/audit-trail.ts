import type { Principal } from '../auth/principal';
import { AUDIT_MAX_IDS, type AuditEntry } from '../graph/audit-types';
import type { AuditStore } from '../graph/ports/audit-store';
import type { TopologyHistoryStore } from '../graph/ports/topology-history-store';
import { TimeOrderedIds } from '../graph/time-ordered-ids';
import type { Logger } from '../logger';

/** How often old entries are pruned (on the next append after this long). */
const PRUNE_EVERY_MS = 3_600_000;

/** Who an entry is about: a Principal, or just an id and role. */
export type AuditActor = Pick<Principal, 'id'> & { role: string };

/** The actor of a refusal whose caller is unknown (no or invalid credentials). */
export const UNKNOWN_CALLER: AuditActor = { id: 'anonymous', role: 'none' };

/** Why a call was refused before it ran. */
export type RefusalCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/**
 * Records every mutation, `/ingest` call and audit-log read (who, when, which operation,
 * affected ids, outcome), and every refusal of one, through the graph store, and prunes entries
 * older than the retention, and topology history with them (it is kept as long as audit entries). Recording never fails the operation: a store error is logged instead.
 */
export class AuditTrail {
  private lastPrune = 0;
  private readonly ids = new TimeOrderedIds();

  constructor(
    private readonly store: AuditStore & Pick<TopologyHistoryStore, 'pruneTopologyHistory'>,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  /** A refused call: nothing ran, so no ids; `outcome` ERROR with the refusal code. */
  recordRefusal(actor: AuditActor | null | undefined, operation: string, code: RefusalCode): Promise<void> {
    return this.record(actor ?? UNKNOWN_CALLER, operation, [], code);
  }

  async record(principal: AuditActor, operation: string, ids: Iterable<string>, error: string | null = null): Promise<void> {
    const unique = [...new Set(ids)];
    const now = Date.now();
    const entry: AuditEntry = {
      id: this.ids.next(now),
      at: new Date(now).toISOString(),
      actor: principal.id,
      role: principal.role,
      operation,
      ids: unique.slice(0, AUDIT_MAX_IDS),
      idCount: unique.length,
      outcome: error ? 'ERROR' : 'OK',
      error,
    };
    try {
      await this.store.appendAudit([entry]);
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        const before = new Date(Date.now() - this.retentionDays * 86_400_000).toISOString();
        await this.store.pruneAudit(before);
        await this.store.pruneTopologyHistory(before);
      }
    } catch (err) {
      this.logger.error({ err, audit: { ...entry, ids: undefined } }, 'could not write an audit entry');
    }
  }
}
