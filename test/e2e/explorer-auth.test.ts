/**
 * The explorer with auth on (API keys): it asks for a key once, keeps it for the tab only
 * (sessionStorage), sends it on HTTP and in the WebSocket's connection_init, and says so when
 * the key's role may not do something. The real server in this process, demo twin on SQLite.
 */
import type { Browser, Page } from 'playwright-core';
import { seedDemoTwin } from '../../src/demo/demo-twin';
import { KEYS, AUTH_ENV } from '../support/auth-fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { graphql, launchChromium, legendColour, nodeColour, screenshot, waitReady } from './support/browser';

jest.setTimeout(60_000);

let server: TestServer;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ env: AUTH_ENV }), launchChromium()]);
  await seedDemoTwin(server.store, server.model);
  origin = new URL(server.url).origin;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page, key: string): Promise<void> {
  await page.waitForSelector('#signin[open]');
  await page.fill('#signin-token', key);
  await page.press('#signin-token', 'Enter');
}

describe('the twin explorer with auth on', () => {
  let page: Page;

  it('asks for a key, refuses a wrong one, and then works with a viewer key kept for this tab', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${origin}/explorer#asset=rack-r1-01&depth=1`);
    await page.waitForSelector('#signin[open]');
    await expect(page.locator('#signin-reason').innerText()).resolves.toContain('The API needs an API key or token.');
    await screenshot(page, 'auth-01-sign-in');

    await signIn(page, 'not-a-key-of-this-server');
    await page.waitForFunction(() => /refused this key/.test((globalThis as any).document.querySelector('#signin-reason')?.textContent ?? ''));
    await expect(page.locator('#signin[open]').count()).resolves.toBe(1);

    await signIn(page, KEYS.viewer);
    await waitReady(page);
    await expect(page.locator('#search-count').innerText()).resolves.toMatch(/of 276 assets$/);
    await expect(page.locator('#auth-state').innerText()).resolves.toBe(`Signed in with key …${KEYS.viewer.slice(-4)}`);
    await expect(page.evaluate(() => (globalThis as any).sessionStorage.getItem('twin-explorer.token'))).resolves.toBe(KEYS.viewer);
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#graph-summary')?.dataset.assets > 0);
  });

  it('gets live updates over the WebSocket with the same key', async () => {
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#live-state')?.dataset.state === 'connected');
    const degraded = await legendColour(page, 'DEGRADED');
    // Reported by another client, an operator.
    const report = await graphql(
      server.url,
      `mutation($r: [StateReport!]!) { reportState(input: $r) { accepted } }`,
      { r: [{ assetId: 'rack-r1-01', observedAt: new Date().toISOString(), values: { status: 'DEGRADED', inletTempC: 29 } }] },
      KEYS.operator,
    );
    expect(report.reportState.accepted).toBe(1);
    await page.waitForFunction((c) => String((globalThis as any).twinExplorer.cy.getElementById('rack-r1-01').style('background-color')).replace(/\s+/g, '') === c, degraded, { timeout: 10_000 });
    await expect(nodeColour(page, 'rack-r1-01')).resolves.toBe(degraded);
    await screenshot(page, 'auth-02-live');
  });

  it("says so when the key's role may not run a scenario", async () => {
    await page.click('#tab-scenarios');
    await page.click('#scenario-run');
    await page.waitForFunction(() => /Could not start the scenario/.test((globalThis as any).document.querySelector('#scenario-status')?.textContent ?? ''));
    const text = await page.locator('#scenario-status').innerText();
    expect(text).toContain('runScenario needs the operator role; you are viewer');
    expect(text).toContain('may not do this');
    await screenshot(page, 'auth-03-forbidden');
  });

  it('keeps the key across a reload of the tab, but not for another tab', async () => {
    await page.reload();
    await waitReady(page);
    await expect(page.locator('#signin[open]').count()).resolves.toBe(0);

    const other = await browser.newPage();
    try {
      await other.goto(`${origin}/explorer`);
      await other.waitForSelector('#signin[open]');
      await expect(other.evaluate(() => (globalThis as any).sessionStorage.getItem('twin-explorer.token'))).resolves.toBeNull();
    } finally {
      await other.close();
    }
  });

  it('signs out', async () => {
    await page.click('#signout');
    await page.waitForSelector('#signin[open]');
    await expect(page.evaluate(() => (globalThis as any).sessionStorage.getItem('twin-explorer.token'))).resolves.toBeNull();
    await page.close();
  });
});
