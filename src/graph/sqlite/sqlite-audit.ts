import type { AuditEntry, AuditFilter } from '../audit-types';
import type { AuditStore } from '../ports/audit-store';
import type { SqliteExecutor } from './sqlite-executor';
import { Where, deleteBefore, readPage } from './sqlite-sql';

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  role: string;
  operation: string;
  ids: string;
  id_count: number;
  outcome: string;
  error: string | null;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  actor: row.actor,
  role: row.role,
  operation: row.operation,
  ids: JSON.parse(row.ids) as string[],
  idCount: row.id_count,
  outcome: row.outcome as AuditEntry['outcome'],
  error: row.error,
});

/** The audit trail in the embedded store (table `audit_log`, in sqlite-schema.ts). */
export class SqliteAudit implements AuditStore {
  constructor(private readonly sql: SqliteExecutor) {}

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    this.sql.transaction(() => {
      for (const e of entries) {
        // ON CONFLICT (id) rather than OR IGNORE: only a repeated id is ignored; OR IGNORE would
        // also drop, silently, an entry violating NOT NULL.
        this.sql.run(
          `INSERT INTO audit_log (id, at, actor, role, operation, ids, id_count, outcome, error)
           VALUES (@id, @at, @actor, @role, @operation, @ids, @idCount, @outcome, @error)
           ON CONFLICT (id) DO NOTHING`,
          { ...e, ids: JSON.stringify(e.ids) },
        );
      }
    });
  }

  async listAudit(filter: AuditFilter, pageSize: number, after?: string): Promise<{ entries: AuditEntry[]; hasNextPage: boolean }> {
    const where = new Where();
    if (filter.actor !== undefined) where.add('actor = ?', filter.actor);
    if (filter.operation !== undefined) where.add('operation = ?', filter.operation);
    if (filter.assetId !== undefined) where.add('EXISTS (SELECT 1 FROM json_each(ids) WHERE value = ?)', filter.assetId);
    if (filter.since !== undefined) where.add('at >= ?', filter.since);
    if (filter.until !== undefined) where.add('at < ?', filter.until);
    if (after !== undefined) where.add('id < ?', after);
    const { rows, hasNextPage } = readPage(pageSize, (limit) =>
      this.sql.all<AuditRow>(`SELECT * FROM audit_log ${where.sql} ORDER BY id DESC LIMIT ?`, ...where.params, limit),
    );
    return { entries: rows.map(toEntry), hasNextPage };
  }

  async pruneAudit(before: string): Promise<number> {
    return deleteBefore(this.sql, 'audit_log', 'at', before);
  }
}
