import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The SDL: every .graphql file in this folder, read once. */
export function loadTypeDefs(): string {
  return readdirSync(__dirname)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(path.join(__dirname, file), 'utf8'))
    .join('\n');
}
