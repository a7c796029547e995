/**
 * Debian's Chromium driven by playwright-core (no browser download: `executablePath`), and what
 * the e2e tests read off the page the way a user sees it: texts, and the colours cytoscape paints
 * nodes with next to the colours the legend explains in words.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chromiumPath } = require('./chromium.js') as { chromiumPath(): string | null };

export const SCREENSHOTS = path.resolve(__dirname, '../screenshots');

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.TEST_CHROMIUM_PATH || chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  // Chromium's sandbox cannot start as root (CI runs as root).
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath, headless: true, chromiumSandbox: !root, args: ['--disable-dev-shm-usage'] });
}

/** A screenshot of the page as it is, under test/e2e/screenshots/ (CI keeps them as artefacts). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The page has loaded its settings and model and listed the first assets. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}

/** rgb(1, 2, 3) and rgb(1,2,3) alike. */
const normal = (colour: string) => colour.replace(/\s+/g, '').toLowerCase();

/** The fill cytoscape paints a node with, as rgb(). */
export async function nodeColour(page: Page, id: string): Promise<string> {
  return normal(await page.evaluate((nodeId) => (globalThis as any).twinExplorer.cy.getElementById(nodeId).style('background-color') as string, id));
}

/** The colour of a legend entry (the legend says in words what it means), as rgb(). */
export async function legendColour(page: Page, key: string): Promise<string> {
  const swatch = page.locator(`#legend li[data-key="${key}"] .swatch`);
  return normal(await swatch.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor as string));
}

/** The legend entry's words for a key. */
export async function legendText(page: Page, key: string): Promise<string> {
  return (await page.locator(`#legend li[data-key="${key}"]`).innerText()).trim();
}

/** How many drawn nodes are painted `colour`. */
export async function nodesPainted(page: Page, colour: string): Promise<string[]> {
  return page.evaluate(
    (c) =>
      (globalThis as any).twinExplorer.cy
        .nodes()
        .filter((n: any) => String(n.style('background-color')).replace(/\s+/g, '').toLowerCase() === c)
        .map((n: any) => n.id() as string),
    colour,
  );
}

export async function drawnNodeIds(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as any).twinExplorer.cy.nodes().map((n: any) => n.id() as string));
}

/** Drawn edges as supplier -> consumer (the way the arrows point). */
export async function drawnEdges(page: Page): Promise<{ source: string; target: string; label: string; visible: boolean }[]> {
  return page.evaluate(() =>
    (globalThis as any).twinExplorer.cy.edges().map((e: any) => ({ source: e.source().id(), target: e.target().id(), label: e.data('label'), visible: e.visible() })),
  );
}

/** Click a node where it is drawn on the canvas, as a user would (Shift held to add to the selection). */
export async function clickNode(page: Page, id: string, opts: { shift?: boolean } = {}): Promise<void> {
  const at = await page.evaluate((nodeId) => {
    const cy = (globalThis as any).twinExplorer.cy;
    const node = cy.getElementById(nodeId);
    if (node.empty()) throw new Error(`${nodeId} is not drawn`);
    const p = node.renderedPosition();
    const box = cy.container().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, id);
  if (opts.shift) await page.keyboard.down('Shift');
  try {
    await page.mouse.click(at.x, at.y);
  } finally {
    if (opts.shift) await page.keyboard.up('Shift');
  }
}

/** POST a GraphQL operation to the API under test (as a separate client would), failing on errors. */
export async function graphql<T = any>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}
