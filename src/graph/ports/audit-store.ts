import type { AuditEntry, AuditFilter } from '../audit-types';

/** The audit trail of mutations and ingestion requests. */
export interface AuditStore {
  /** Append audit entries. */
  appendAudit(entries: AuditEntry[]): Promise<void>;

  /** Audit entries newest first; `after` is the id of the last entry of the previous page. */
  listAudit(filter: AuditFilter, limit: number, after?: string): Promise<{ entries: AuditEntry[]; hasNextPage: boolean }>;

  /** Delete audit entries older than `before` (ISO); returns how many. */
  pruneAudit(before: string): Promise<number>;
}
