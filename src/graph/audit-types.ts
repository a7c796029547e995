/** One audited mutation: who, when, what, on which assets, and how it ended. */
export interface AuditEntry {
  /** Sorts in time order as a string (newer entries have larger ids). */
  id: string;
  at: string;
  actor: string;
  role: string;
  operation: string;
  /** Affected ids (assets, or the scenario run), at most AUDIT_MAX_IDS of them. */
  ids: string[];
  /** How many ids were affected in all. */
  idCount: number;
  outcome: 'OK' | 'ERROR';
  /** The error code when the operation failed. */
  error: string | null;
}

export interface AuditFilter {
  actor?: string;
  operation?: string;
  assetId?: string;
  since?: string;
  until?: string;
}

/** Ids kept per entry; the count covers them all. */
export const AUDIT_MAX_IDS = 1000;
