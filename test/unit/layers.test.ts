import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Dependencies point down (ARCHITECTURE.md): no module of src/ imports one of a higher layer.
 * Each top-level folder or root file of src/ belongs to one layer; imports within a layer are
 * allowed. A new folder must be placed here, or this test fails.
 */
const LAYERS: [layer: string, members: string[]][] = [
  ['base', ['errors.ts', 'config.ts', 'logger.ts', 'logging', 'model']],
  ['storage', ['graph', 'history']],
  ['engines', ['sim']],
  ['services', ['live', 'sim-queue', 'import', 'audit', 'auth', 'demo']],
  ['operations', ['observability']],
  ['api', ['resolvers', 'schema', 'generated']],
  ['server', ['server']],
  ['composition', ['app.ts', 'main.ts', 'worker.ts']],
];

const SRC = path.resolve(__dirname, '../../src');
const rank = new Map(LAYERS.flatMap(([, members], i) => members.map((m) => [m, i] as const)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The layer member a file belongs to: its top-level folder under src/, or its own name. */
const memberOf = (file: string) => path.relative(SRC, file).split(path.sep)[0];

const isUpward = (file: string, target: string) => rank.get(memberOf(target.endsWith('.ts') ? target : `${target}.ts`))! > rank.get(memberOf(file))!;

const imports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]));

describe('layers of src/', () => {
  const files = sourceFiles(SRC);

  it('place every folder and root file in a layer', () => {
    expect([...new Set(files.map(memberOf))].filter((m) => !rank.has(m))).toEqual([]);
  });

  it('never import from a higher layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const target of imports(file)) if (isUpward(file, target)) upward.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
    }
    expect(upward).toEqual([]);
  });

  it('tell an upward import from a downward one (the check itself)', () => {
    expect(isUpward(path.join(SRC, 'model', 'validate.ts'), path.join(SRC, 'graph', 'types'))).toBe(true);
    expect(isUpward(path.join(SRC, 'logger.ts'), path.join(SRC, 'observability', 'redaction'))).toBe(true);
    expect(isUpward(path.join(SRC, 'graph', 'traversal.ts'), path.join(SRC, 'model', 'twin-model'))).toBe(false);
    expect(isUpward(path.join(SRC, 'live', 'ingest-http.ts'), path.join(SRC, 'audit', 'audit-trail'))).toBe(false);
  });
});
