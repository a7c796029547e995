/**
 * Global setup of the `e2e` jest project: builds the explorer's bundle (explorer/build.ts), the
 * same build `npm start` runs first, so the page under test is the page of these sources.
 */
import { buildExplorer, EXPLORER_DIST } from '../../explorer/build';

export default async function e2eGlobalSetup(): Promise<void> {
  const started = Date.now();
  await buildExplorer();
  process.stderr.write(`\ne2e project: built the explorer into ${EXPLORER_DIST} in ${Date.now() - started} ms\n`);
}
