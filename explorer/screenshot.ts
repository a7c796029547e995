/**
 * Makes docs/explorer.png, the README's picture of the explorer: the API on a fresh demo twin (a
 * temporary SQLite folder, a free port), Debian's Chromium, the neighbourhood of pdu-r2-a with
 * pdu-r2-a and pdu-r2-b failed. `npm run docs:screenshot`; with `pngquant` installed
 * (apt-get install -y pngquant) the PNG is reduced to 256 colours, which keeps it small.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { seedDemoTwin } from '../src/demo/demo-twin';
import { createLogger } from '../src/logger';
import { buildExplorer } from './build';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chromiumPath } = require('../test/e2e/support/chromium.js') as { chromiumPath(): string | null };

const OUT = path.resolve(__dirname, '../docs/explorer.png');

async function main(): Promise<void> {
  await buildExplorer();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'twin-screenshot-'));
  const app = await createApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  const browser = await chromium.launch({ executablePath, chromiumSandbox: process.getuid?.() !== 0 });
  try {
    await seedDemoTwin(app.services.store, app.services.model);
    const origin = new URL(await app.listen()).origin;
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(`${origin}/explorer#asset=pdu-r2-a&depth=2`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => Number((globalThis as any).document.querySelector('#graph-summary')?.dataset.assets) > 0);
    await page.click('#tab-impact');
    for (const id of ['pdu-r2-a', 'pdu-r2-b']) {
      await page.fill('#failed-add', id);
      await page.press('#failed-add', 'Enter');
    }
    await page.waitForSelector('#impact-down-count');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#live-state')?.dataset.state === 'connected');
    // The whole page: the legend under the graph says what the colours mean.
    await page.screenshot({ path: OUT, fullPage: true });
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const quantized = `${OUT}.tmp.png`;
  const q = spawnSync('pngquant', ['--quality', '60-90', '--speed', '1', '--force', '--output', quantized, OUT], { stdio: 'inherit' });
  if (q.status === 0) renameSync(quantized, OUT);
  else process.stderr.write('pngquant not available: the PNG is left as Chromium wrote it (larger)\n');
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)} (${Math.round(statSync(OUT).size / 1024)} KB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshot failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
