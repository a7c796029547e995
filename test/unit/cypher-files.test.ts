import path from 'node:path';
import {
  compatibilityProblems,
  CypherQueries,
  findCypherDir,
  parametersOf,
  placeholdersOf,
  readCypherFolder,
} from '../../src/graph/neo4j/cypher-files';
import { NEO4J_QUERY_NAMES, NEO4J_SCHEMA_QUERIES, NEO4J_TEMPLATE_PLACEHOLDERS } from '../../src/graph/neo4j/neo4j-graph-store';

/** Whether a RETURN clause hands back a node or relationship variable (a, b, r) itself. */
const returnsEntity = (body: string) => /\bRETURN\b[^\n]*?(?:\s|,)(a|b|r)\s*(?:,|$)/m.test(body);

const projectRoot = path.resolve(__dirname, '..', '..');
const files = readCypherFolder();
const all = [...files.values()];

describe('cypher/ query files', () => {
  it('are found from the sources and from the compiled output alike', () => {
    expect(findCypherDir()).toBe(path.join(projectRoot, 'cypher'));
    expect(findCypherDir(path.join(projectRoot, 'dist', 'src', 'graph', 'neo4j'))).toBe(path.join(projectRoot, 'cypher'));
    expect(all.length).toBeGreaterThan(0);
  });

  it.each(all.map((q) => [q.name, q] as const))('%s starts with a header naming it, its parameters and what it returns', (name, query) => {
    expect(query.text.startsWith('//')).toBe(true);
    expect(query.header[0]).toMatch(new RegExp(`^${name}: \\S`));
    expect(query.header.some((line) => /^Parameters:/.test(line))).toBe(true);
    expect(query.header.some((line) => /^Returns:/.test(line))).toBe(true);
    expect(query.body).not.toBe('');
  });

  it.each(all.map((q) => [q.name, q] as const))('%s documents every parameter and placeholder it uses', (_name, query) => {
    const header = query.header.join('\n');
    const undocumented = parametersOf(query.body).filter((p) => !header.includes(`$${p}`));
    expect(undocumented).toEqual([]);
    const placeholders = placeholdersOf(query.body);
    for (const placeholder of placeholders) expect(header).toMatch(new RegExp(`Template:.*${placeholder}`));
  });

  it.each(all.map((q) => [q.name, q] as const))('%s uses only what runs on Neo4j 5.26 LTS and 2025.x', (_name, query) => {
    expect(compatibilityProblems(query.text)).toEqual([]);
  });
});

describe('queries of the Neo4j adapter', () => {
  it('all exist and load by name', () => {
    const missing = NEO4J_QUERY_NAMES.filter((name) => !files.has(name));
    expect(missing).toEqual([]);
    const loaded = CypherQueries.load(NEO4J_QUERY_NAMES);
    expect(loaded.names.sort()).toEqual([...new Set(NEO4J_QUERY_NAMES)].sort());
  });

  it('have exactly the template placeholders the adapter fills in', () => {
    for (const name of NEO4J_QUERY_NAMES) {
      expect([name, placeholdersOf(files.get(name)!.body)]).toEqual([name, NEO4J_TEMPLATE_PLACEHOLDERS[name] ?? []]);
    }
  });

  it('apply schema idempotently', () => {
    for (const name of NEO4J_SCHEMA_QUERIES) expect(files.get(name)!.body).toMatch(/^CREATE (CONSTRAINT|INDEX) \w+ IF NOT EXISTS\b/);
  });

  it('write in batches (UNWIND) and return maps, never whole nodes', () => {
    for (const name of ['asset-lock', 'asset-save', 'relationship-merge', 'relationship-delete']) {
      expect(files.get(name)!.body).toMatch(/^UNWIND \$\w+ AS \w+/);
    }
    for (const name of NEO4J_QUERY_NAMES) expect([name, returnsEntity(files.get(name)!.body)]).toEqual([name, false]);
    // The check itself catches a bare node or relationship anywhere in a RETURN list.
    expect(returnsEntity('MATCH (a:Asset) RETURN a')).toBe(true);
    expect(returnsEntity('MATCH (a)-[r]->(b) RETURN a.id AS id, r, b.id AS to')).toBe(true);
    expect(returnsEntity('MATCH (a) RETURN a {.*} AS asset, a.id AS id')).toBe(false);
  });

  it('share one asset filter between the pages and the count', () => {
    const filterOf = (name: string) => /\/\/ filter:begin[^\n]*\n([\s\S]*?)\/\/ filter:end/.exec(files.get(name)!.body)?.[1];
    expect(filterOf('asset-page')).toBeDefined();
    expect(filterOf('asset-page')).toBe(filterOf('asset-count'));
    expect(filterOf('asset-page-by-id')).toBe(filterOf('asset-count'));
  });
});

describe('the loader', () => {
  it('fails at start-up naming a missing file', () => {
    expect(() => CypherQueries.load(['asset-get', 'no-such-query'])).toThrow(/cypher\/no-such-query\.cypher is missing/);
  });

  it('refuses names it did not load', () => {
    expect(() => CypherQueries.load(['asset-get']).get('asset-count')).toThrow(/"asset-count" was not loaded/);
  });
});

describe('the compatibility check', () => {
  it.each([
    ['quantified path', 'MATCH p = ((a)-[:FEEDS]->(b)){1,5} RETURN p'],
    ['quantified relationship', 'MATCH (a)-[:FEEDS]->{1,5}(b) RETURN b.id'],
    ['SHORTEST', 'MATCH p = SHORTEST 1 (a)-[:FEEDS]-+(b) RETURN p'],
    ['id()', 'MATCH (a) RETURN id(a) AS n'],
    ['Cypher 25', 'CYPHER 25 MATCH (a) RETURN a.id'],
    ['a Cypher 25 LET', 'MATCH (a)\nLET x = a.id\nRETURN x'],
    ['two statements', 'MATCH (a) RETURN a.id; MATCH (b) RETURN b.id'],
  ])('catches %s', (_what, cypher) => {
    expect(compatibilityProblems(cypher)).not.toEqual([]);
  });

  it('accepts classic forms and Neo4j 5.26 constructs, and ignores comments and strings', () => {
    const ok = [
      'MATCH p = shortestPath((a:Asset {id: $from})-[*..10]-(b:Asset {id: $to})) RETURN [n IN nodes(p) | n.id] AS ids',
      'MATCH (a:Asset) CALL { WITH a MATCH (a)-[:FEEDS*1..3]->(b) RETURN count(b) AS n } RETURN a {.*, n: n} AS asset',
      'MATCH (a:Asset) WHERE EXISTS { (a)-->() } AND COUNT { (a)<--() } > 1 SET a += $changes RETURN a.id',
      "// SHORTEST and id() in a comment\nMATCH (a) WHERE a.name = 'SHORTEST { ; }' RETURN a.id",
      // Neo4j 5.26 constructs
      'MATCH (a) CALL (a) { RETURN 1 AS x } RETURN x',
      'MATCH (a) RETURN COLLECT { MATCH (a)-->(b) RETURN b.id } AS ids',
      'MATCH (a:$($label)) WHERE a.x IS :: INTEGER RETURN a.id',
    ];
    for (const cypher of ok) expect([cypher, compatibilityProblems(cypher)]).toEqual([cypher, []]);
  });

  it('lets a file use a quantified path pattern only when its header says why', () => {
    const walk = 'MATCH (a)((x)-[r]-(y) WHERE startNode(r) = x){0,3}(b) RETURN DISTINCT b.id';
    expect(compatibilityProblems(`// Allows: quantified paths, because the walk mixes directions.\n${walk}`)).toEqual([]);
    expect(compatibilityProblems(`// Allows: quantified paths,\n${walk}`)).not.toEqual([]);
    expect(compatibilityProblems('// Allows: quantified paths, because...\nMATCH p = SHORTEST 1 (a)-[:FEEDS]-+(b) RETURN p')).toEqual([
      '`SHORTEST` path selector: traversals use shortestPath()',
    ]);
  });
});
