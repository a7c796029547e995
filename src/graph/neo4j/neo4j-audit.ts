import type { AuditEntry, AuditFilter } from '../audit-types';
import type { AuditStore } from '../ports/audit-store';
import { chunks, keysetPage, Neo4jPart, numberOrNull, pruneBatch, stringOrNull, whole } from './neo4j-records';

/** The query files Neo4jAudit runs. */
export const AUDIT_QUERY_NAMES = ['audit-append', 'audit-page', 'audit-prune'] as const;

type AuditQueryName = (typeof AUDIT_QUERY_NAMES)[number];

/** Most audit entries one audit-append statement takes. */
const AUDIT_APPEND_BATCH = 1_000;
/** Most audit entries one audit-prune call deletes (the adapter repeats it until fewer go). */
const AUDIT_PRUNE_BATCH = 10_000;

/** The row audit-append writes for an entry: idCount as an Integer, error null when none. */
const auditRow = (e: AuditEntry): Record<string, unknown> => ({
  id: e.id,
  at: e.at,
  actor: e.actor,
  role: e.role,
  operation: e.operation,
  ids: [...e.ids],
  idCount: whole(e.idCount),
  outcome: e.outcome,
  error: e.error ?? null,
});

/** An entry's map projection (see audit-page.cypher) as an AuditEntry. */
function toAuditEntry(map: Record<string, unknown>): AuditEntry {
  return {
    id: map.id as string,
    at: map.at as string,
    actor: map.actor as string,
    role: map.role as string,
    operation: map.operation as string,
    ids: Array.isArray(map.ids) ? (map.ids as string[]) : [],
    idCount: numberOrNull(map.idCount) ?? 0,
    outcome: map.outcome as AuditEntry['outcome'],
    error: stringOrNull(map.error),
  };
}

/**
 * The audit trail in Neo4j: `(:AuditEntry {id, at, actor, role, operation, ids, idCount, outcome,
 * error})`, paged newest first by id.
 */
export class Neo4jAudit extends Neo4jPart<AuditQueryName> implements AuditStore {
  async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map(auditRow);
    // One transaction for the whole call; MERGE on the id ignores entries already stored.
    await this.executor.writeTransaction(async (tx) => {
      for (const batch of chunks(rows, AUDIT_APPEND_BATCH)) await tx.run(this.q('audit-append'), { entries: batch });
    });
  }

  async listAudit(filter: AuditFilter, limit: number, after?: string): Promise<{ entries: AuditEntry[]; hasNextPage: boolean }> {
    const page = keysetPage(limit);
    const { rows, hasNextPage } = page.split(
      await this.executor.read(this.q('audit-page'), {
        filter: {
          actor: filter.actor ?? null,
          operation: filter.operation ?? null,
          assetId: filter.assetId ?? null,
          since: filter.since ?? null,
          until: filter.until ?? null,
        },
        after: after ?? null,
        limit: page.limit,
      }),
    );
    return { entries: rows.map((row) => toAuditEntry(row.entry as Record<string, unknown>)), hasNextPage };
  }

  async pruneAudit(before: string): Promise<number> {
    // In bounded transactions: the first prune after a long pause may have many entries to delete.
    let total = 0;
    for (;;) {
      const pruned = await pruneBatch(this.executor, this.q('audit-prune'), { before }, AUDIT_PRUNE_BATCH);
      total += pruned;
      if (pruned < AUDIT_PRUNE_BATCH) return total;
    }
  }
}
