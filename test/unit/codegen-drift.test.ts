import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

/**
 * The committed resolver types must match the schema: after changing SDL, run `npm run codegen`.
 * Codegen runs here into a temporary file (the committed one is never touched) and is compared.
 */
it('src/generated/graphql.ts is up to date with src/schema', () => {
  const root = path.resolve(__dirname, '../..');
  const config = YAML.parse(readFileSync(path.join(root, 'codegen.yml'), 'utf8'));
  const [[committedFile, target]] = Object.entries(config.generates as Record<string, unknown>);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
  try {
    const fresh = path.join(dir, 'graphql.ts');
    writeFileSync(path.join(dir, 'codegen.yml'), YAML.stringify({ ...config, generates: { [fresh]: target } }));
    execFileSync(path.join(root, 'node_modules/.bin/graphql-codegen'), ['--config', path.join(dir, 'codegen.yml'), '--silent'], { cwd: root });
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(path.join(root, committedFile), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
