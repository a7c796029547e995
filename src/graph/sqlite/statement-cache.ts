import type Database from 'better-sqlite3';

/** More distinct SQL texts than this (filters make some texts vary) evict the oldest. */
const MAX_STATEMENTS = 256;

/**
 * better-sqlite3 compiles the SQL again on every `prepare`, which costs more than running the
 * short queries the store repeats on every request. This makes `db.prepare` hand back the
 * statement compiled before for the same text. Safe because the store only uses run/get/all
 * (never iterate), and a statement put in raw mode is one whose text only that caller uses.
 */
export function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement<unknown[], unknown>>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      // Re-insert: the Map's order is then least recently used first.
      cache.delete(sql);
    } else {
      statement = compile(sql) as Database.Statement<unknown[], unknown>;
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  }) as typeof db.prepare;
}
