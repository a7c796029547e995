import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DomainError, unavailable } from '../../errors';

/**
 * How long a statement waits for another connection's write lock before failing: another
 * process (an import, a second API) may hold it for a moment.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** More distinct SQL texts than this (filters make some texts vary) evict the least recently used. */
const MAX_STATEMENTS = 256;

export interface SqliteExecutorOptions {
  /** Milliseconds to wait for a lock held by another connection (default 5000). */
  busyTimeoutMs?: number;
  /** More pragmas, applied after the store's own (e.g. a bigger cache for an append-heavy file). */
  pragmas?: string[];
}

/** `deferred` takes the write lock at the first write; `immediate` before the first read. */
export type TransactionMode = 'deferred' | 'immediate';

type Statement = Database.Statement<unknown[], unknown>;

/** Constraint failures that mean "a record with this key already exists". */
const CONFLICT_CODES = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);

/**
 * The one place that runs SQL on the embedded database: it opens the file with the store's
 * pragmas, keeps the compiled statements, and turns SQLite errors into DomainErrors: a lock held
 * by another connection is UNAVAILABLE (naming the file), a unique or primary-key violation is
 * CONFLICT; anything else is thrown unchanged (logged and masked above).
 *
 * Parameters are positional (`?`) or one object of named ones (`@name`), as better-sqlite3 takes them.
 */
export class SqliteExecutor {
  private db: Database.Database | null = null;
  /** Compiled statements by SQL text, least recently used first (better-sqlite3 compiles on every `prepare`). */
  private readonly statements = new Map<string, Statement>();
  readonly busyTimeoutMs: number;
  private readonly pragmas: string[];

  constructor(
    /** Path of the database file; its folder is created when missing. */
    readonly file: string,
    options: SqliteExecutorOptions = {},
  ) {
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS));
    this.pragmas = options.pragmas ?? [];
  }

  get isOpen(): boolean {
    return this.db?.open ?? false;
  }

  /** Open the file (a no-op while open): WAL, synchronous NORMAL, foreign keys, the busy timeout. */
  open(): void {
    if (this.isOpen) return;
    mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    this.guard(() => {
      // `timeout` is SQLite's busy_timeout (how long a statement waits for another connection's lock).
      const db = new Database(this.file, { timeout: this.busyTimeoutMs });
      try {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        for (const pragma of this.pragmas) db.pragma(pragma);
      } catch (err) {
        db.close();
        throw err;
      }
      this.db = db;
    });
  }

  close(): void {
    this.statements.clear();
    if (this.db?.open) this.db.close();
    this.db = null;
  }

  /** Run SQL text that may hold several statements and takes no parameters (schema). */
  exec(sql: string): void {
    this.guard(() => this.connection().exec(sql));
  }

  /** The first row, or undefined. */
  get<Row>(sql: string, ...params: unknown[]): Row | undefined {
    return this.guard(() => this.statement(sql).get(...params) as Row | undefined);
  }

  all<Row>(sql: string, ...params: unknown[]): Row[] {
    return this.guard(() => this.statement(sql).all(...params) as Row[]);
  }

  /** Rows as arrays of column values, in select order (no objects built: for long id lists). */
  tuples<Row extends unknown[]>(sql: string, ...params: unknown[]): Row[] {
    return this.guard(() => {
      const statement = this.statement(sql).raw(true);
      try {
        return statement.all(...params) as Row[];
      } finally {
        statement.raw(false); // the cached statement is shared with get/all callers of the same text
      }
    });
  }

  /** Run a write; returns how many rows it changed. */
  run(sql: string, ...params: unknown[]): number {
    return this.guard(() => this.statement(sql).run(...params).changes);
  }

  /** Run `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: () => T, mode: TransactionMode = 'deferred'): T {
    return this.guard(() => this.connection().transaction(fn)[mode]());
  }

  private connection(): Database.Database {
    if (!this.db?.open) throw new Error(`SQLite database "${this.file}" is not open: call init() first`);
    return this.db;
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql); // re-inserted below: the Map's order is least recently used first
    } else {
      statement = this.connection().prepare(sql) as Statement;
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.domainError(err);
    }
  }

  /** SQLite errors to DomainErrors; anything else (a DomainError thrown inside a transaction too) unchanged. */
  private domainError(err: unknown): unknown {
    const code = sqliteCode(err);
    if (code === null) return err;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return unavailable(
        `SQLite database "${this.file}" is locked by another process or connection ` +
          `(still locked after waiting ${this.busyTimeoutMs} ms); try again shortly`,
        { file: this.file, sqliteCode: code },
      );
    }
    if (CONFLICT_CODES.has(code)) {
      // "UNIQUE constraint failed: scenario_runs.id" names the table and columns of the key.
      const constraint = String((err as { message?: unknown }).message).replace(/^.*constraint failed:\s*/i, '');
      return new DomainError('CONFLICT', `a record with this key already exists (${constraint})`, { constraint, sqliteCode: code });
    }
    return err;
  }
}

/**
 * The SQLite result code of an error from better-sqlite3 (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`…),
 * null for any other error. By code, not `instanceof`: the native addon keeps the SqliteError
 * class of the first copy of the module loaded in the process, and jest loads one per test file
 * (each with its own globals, so not even `instanceof Error` holds).
 */
function sqliteCode(err: unknown): string | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}
