import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Named Cypher queries from the top-level `cypher/` folder: one statement per `<name>.cypher`
 * file, starting with a `//` comment block that gives its parameters and what it returns.
 * Queries are read once, when a store is constructed; a missing file is a start-up error.
 */

/** One named query: `text` is the whole file, `body` the statement without its header. */
export interface CypherQuery {
  name: string;
  /** Absolute path of the file, for error messages. */
  file: string;
  text: string;
  /** The comment lines at the top of the file, without their `//`. */
  header: string[];
  /** The statement sent to Neo4j (the file without its header comment). */
  body: string;
}

export const CYPHER_EXTENSION = '.cypher';

/**
 * The `cypher/` folder of the project: walks up from `start` (this module's folder by default)
 * to the first folder holding both `package.json` and `cypher/`, so the same code finds it when
 * run from `src/` (tsx, ts-jest) and from the compiled `dist/src/`.
 */
export function findCypherDir(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'cypher');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate) && statSync(candidate).isDirectory()) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find the cypher/ folder: no folder above ${start} holds both package.json and cypher/`);
    }
    dir = parent;
  }
}

/** Split a file into its leading `//` comment block and the statement after it. */
export function parseCypher(name: string, file: string, text: string): CypherQuery {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line.startsWith('//')) break;
    header.push(line.replace(/^\/\/\s?/, ''));
  }
  return { name, file, text, header, body: lines.slice(i).join('\n').trim() };
}

function readQuery(dir: string, name: string): CypherQuery {
  const file = path.join(dir, `${name}${CYPHER_EXTENSION}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read: ${(err as Error).message}`;
    throw new Error(`Cypher query file cypher/${name}${CYPHER_EXTENSION} ${reason} (looked in ${dir})`);
  }
  const query = parseCypher(name, file, text);
  if (query.body === '') throw new Error(`Cypher query file cypher/${name}${CYPHER_EXTENSION} holds no statement`);
  return query;
}

/** A set of named queries loaded once; `get` of a name that was not loaded is a programming error. */
export class CypherQueries {
  private constructor(
    /** The folder the queries were read from. */
    readonly dir: string,
    private readonly queries: ReadonlyMap<string, CypherQuery>,
  ) {}

  /**
   * Read the named queries from `dir` (default: the project's `cypher/` folder). Throws an
   * error naming the first missing or empty file.
   */
  static load(names: readonly string[], dir: string = findCypherDir()): CypherQueries {
    const queries = new Map<string, CypherQuery>();
    for (const name of names) {
      if (!queries.has(name)) queries.set(name, readQuery(dir, name));
    }
    return new CypherQueries(dir, queries);
  }

  get(name: string): CypherQuery {
    const query = this.queries.get(name);
    if (!query) throw new Error(`Cypher query "${name}" was not loaded (add it to the names passed to CypherQueries.load)`);
    return query;
  }

  get names(): string[] {
    return [...this.queries.keys()];
  }
}

/** Every query file of a folder, by name (for checks and tooling; stores load only what they use). */
export function readCypherFolder(dir: string = findCypherDir()): Map<string, CypherQuery> {
  const names = readdirSync(dir)
    .filter((file) => file.endsWith(CYPHER_EXTENSION))
    .map((file) => file.slice(0, -CYPHER_EXTENSION.length))
    .sort();
  return new Map(names.map((name) => [name, readQuery(dir, name)]));
}

/** The header line that lets a file use a quantified path pattern; it must go on to say why. */
const QUANTIFIED_ALLOWED = /^\/\/ Allows: quantified paths, \S/m;

/**
 * What a query file may not use (DESIGN.md, Conventions). The floor is Neo4j 5.26 LTS, the oldest
 * version the tests run, so 5.26 constructs (`CALL (x) {}`, `COLLECT {}`, dynamic labels, type
 * predicates) are fine; Cypher 25 (2025.06+ only) is not, and traversals keep the classic
 * variable-length patterns and shortestPath() by default. Quantified path patterns (Neo4j 5.9+)
 * are allowed only in a file whose header says why, in a line `// Allows: quantified paths, ...`
 * (a walk that no classic pattern can express). The neo4j test project also EXPLAINs every file
 * on the real server (test/contract/neo4j.cypher-files.test.ts).
 */
const FORBIDDEN: { pattern: RegExp; what: string; allowedBy?: RegExp }[] = [
  {
    pattern: /\)\s*\{\s*\d*\s*(,|\})/,
    what: 'quantified path pattern `(...){m,n}`: traversals use classic variable-length patterns',
    allowedBy: QUANTIFIED_ALLOWED,
  },
  {
    pattern: /(\]|-)\s*->?\s*\{\s*\d*\s*(,|\})/,
    what: 'quantified relationship `-[...]->{m,n}`: traversals use classic variable-length patterns',
    allowedBy: QUANTIFIED_ALLOWED,
  },
  { pattern: /\bSHORTEST\b/i, what: '`SHORTEST` path selector: traversals use shortestPath()' },
  { pattern: /\bid\s*\(/i, what: 'id() (deprecated in Neo4j 5); use the id property or elementId()' },
  { pattern: /^\s*CYPHER\s+25\b/im, what: '`CYPHER 25` (Neo4j 2025.06+ only)' },
  { pattern: /^\s*(LET|FILTER|NEXT)\b/im, what: 'Cypher 25 `LET`/`FILTER`/`NEXT` (Neo4j 2025.x only)' },
  { pattern: /;/, what: 'more than one statement (`;`): a file holds exactly one statement' },
];

/** Remove `//` comments and string literals, so that checks look at Cypher code only. */
export function stripCommentsAndStrings(body: string): string {
  return body
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''")
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Reasons a statement would not run on every supported Neo4j version; empty when none. */
export function compatibilityProblems(body: string): string[] {
  const code = stripCommentsAndStrings(body);
  return FORBIDDEN.filter(({ pattern, allowedBy }) => pattern.test(code) && !allowedBy?.test(body)).map(({ what }) => what);
}

/** `__NAME__` placeholders of a template query. */
export function placeholdersOf(body: string): string[] {
  return [...new Set(stripCommentsAndStrings(body).match(/__[A-Z][A-Z0-9_]*__/g) ?? [])].sort();
}

/** `$parameter` names a statement uses (top-level names, `$filter.ids` gives `filter`). */
export function parametersOf(body: string): string[] {
  return [...new Set([...stripCommentsAndStrings(body).matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))].sort();
}
