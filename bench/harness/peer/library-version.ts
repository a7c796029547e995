import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The installed @neo4j/graphql version (its package.json is not in the package's exports). */
export function peerLibraryVersion(): string {
  // require.resolve gives .../node_modules/@neo4j/graphql/dist/index.js
  const entry = require.resolve('@neo4j/graphql');
  const root = entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`));
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
