/**
 * The twin explorer as a newcomer meets it: `npm start`'s entry point (src/main.ts, a child
 * process, demo twin seeded, SQLite, no auth), the page in headless Chromium. One page goes
 * through the steps in order, each step saving a screenshot under test/e2e/screenshots/.
 * Expected figures come from the API itself (the same questions asked over HTTP), and what is
 * checked is what a user sees: texts on the page and the colours of nodes next to the legend.
 */
import type { Browser, Page } from 'playwright-core';
import { cleanUpApiProcesses, startApi, type ApiProcess } from '../support/api-process';
import { clickNode, drawnEdges, drawnNodeIds, graphql, launchChromium, legendColour, legendText, nodeColour, nodesPainted, screenshot, waitReady } from './support/browser';

jest.setTimeout(60_000);

let api: ApiProcess;
let origin: string;
let browser: Browser;
let page: Page;
const requested: string[] = [];
const pageErrors: string[] = [];

const gql = <T = any>(query: string, variables?: Record<string, unknown>) => graphql<T>(api.url, query, variables);

beforeAll(async () => {
  [api, browser] = await Promise.all([startApi({ SEED_DEMO: '1' }), launchChromium()]);
  origin = new URL(api.url).origin;
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('request', (r) => requested.push(r.url()));
  page.on('websocket', (ws) => requested.push(ws.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  cleanUpApiProcesses();
});

describe('the twin explorer on the demo twin', () => {
  it('is printed by npm start, and / takes a browser to it', async () => {
    // The banner is written after the "listening" log line.
    const deadline = Date.now() + 10_000;
    while (!api.stdout().includes('Twin explorer:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(api.stdout()).toContain(`Twin explorer: ${origin}/explorer`);

    await page.goto(`${origin}/`);
    expect(new URL(page.url()).pathname).toBe('/explorer');
    await waitReady(page);
    await expect(page.title()).resolves.toBe('Twin explorer');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#live-state')?.dataset.state === 'connected');
    await screenshot(page, '01-start');
  });

  it('finds pdu-r2-a by a server-side search, with its status and freshness', async () => {
    await page.fill('#search-text', 'pdu-r2-a');
    await page.press('#search-text', 'Enter');
    const expected = await gql(`{ assets(where: { idPrefix: "pdu-r2-a" }) { totalCount edges { node { id status stale freshness } } } }`);
    const total = expected.assets.totalCount;
    await page.waitForFunction((t) => (globalThis as any).document.querySelector('#search-count')?.textContent === `1–${t} of ${t} assets`, total);
    const row = page.locator('#search-results tr[data-id="pdu-r2-a"]');
    const node = expected.assets.edges[0].node;
    await expect(row.innerText()).resolves.toContain(node.status);
    // Never reported, so stale: the row says so.
    expect(node).toMatchObject({ stale: true, freshness: null });
    await expect(row.innerText()).resolves.toContain('never (stale)');
    await screenshot(page, '02-search');
  });

  it('opens its neighbourhood: dependency direction drawn, its redundancy partner and groups shown', async () => {
    await page.click('#search-results button:text-is("pdu-r2-a")');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#graph-summary')?.dataset.assets > 0);
    const depth = Number(await page.inputValue('#graph-depth'));
    const { asset } = await gql(`query($d: Int!) { asset(id: "pdu-r2-a") { dependencies(maxDepth: $d) { asset { id } } dependents(maxDepth: $d) { asset { id } } } }`, { d: depth });
    const neighbourhood = ['pdu-r2-a', ...asset.dependencies.map((h: any) => h.asset.id), ...asset.dependents.map((h: any) => h.asset.id)];
    const drawn = await drawnNodeIds(page);
    expect(drawn).toEqual(expect.arrayContaining(neighbourhood));
    // The racks' other PDU completes their redundancy group, though it is outside the neighbourhood.
    expect(neighbourhood).not.toContain('pdu-r2-b');
    expect(drawn).toContain('pdu-r2-b');
    await expect(page.locator('#graph-summary').innerText()).resolves.toContain(`${drawn.length} assets`);

    const edges = await drawnEdges(page);
    // FEEDS is stored PDU -> rack and drawn so; the arrows point from supplier to consumer.
    expect(edges).toContainEqual(expect.objectContaining({ source: 'pdu-r2-a', target: 'rack-r2-01', label: 'power: needs 1 of 2', visible: true }));
    expect(edges).toContainEqual(expect.objectContaining({ source: 'pdu-r2-b', target: 'rack-r2-01', label: 'power: needs 1 of 2' }));
    expect(edges).toContainEqual(expect.objectContaining({ source: 'rack-r2-01', target: 'srv-r2-01-01' }));
    expect(edges.find((e) => e.target === 'pdu-r2-a')).toMatchObject({ source: 'ups-a' });
    // The legend says what the colours and outlines mean; never-reported assets are stale (dashed).
    await expect(legendText(page, 'UNKNOWN')).resolves.toContain('UNKNOWN');
    await expect(nodeColour(page, 'rack-r2-01')).resolves.toBe(await legendColour(page, 'UNKNOWN'));
    await expect(page.evaluate(() => (globalThis as any).twinExplorer.cy.getElementById('rack-r2-01').style('border-style'))).resolves.toBe('dashed');
    await expect(page.locator('#legend').innerText()).resolves.toContain('dashed outline: stale');
    // Its details are shown beside the graph.
    await expect(page.locator('#asset-details').innerText()).resolves.toContain('PDU row 2 side A');
    await screenshot(page, '03-neighbourhood');
  });

  it('fails pdu-r2-a and pdu-r2-b from the graph and draws the impact: 58 DOWN', async () => {
    const { impact } = await gql(`{ impact(failed: ["pdu-r2-a", "pdu-r2-b"]) { down { asset { id } } atRisk { asset { id } } } }`);
    // The README's worked example: the five racks of row 2, their 50 servers and what needs svc-db-primary.
    expect(impact.down).toHaveLength(58);

    await clickNode(page, 'pdu-r2-a');
    await clickNode(page, 'pdu-r2-b', { shift: true });
    await page.click('#tab-impact');
    await page.click('#fail-selected:text-is("Fail selected (2)")');
    await page.waitForSelector('#impact-down-count');
    await expect(page.locator('#impact-down-count').innerText()).resolves.toBe(`${impact.down.length} DOWN`);
    await expect(page.locator('#impact-at-risk-count').innerText()).resolves.toBe(`${impact.atRisk.length} AT RISK`);
    await expect(page.locator('#impact-table tbody tr[data-state="DOWN"]').count()).resolves.toBe(impact.down.length);

    // Drawn: every DOWN asset in the legend's DOWN colour, including those beyond the neighbourhood (svc-db-primary).
    await expect(page.inputValue('#colour-mode')).resolves.toBe('impact');
    await expect(legendText(page, 'DOWN')).resolves.toContain('DOWN: goes down with the failed set');
    const down = await nodesPainted(page, await legendColour(page, 'DOWN'));
    expect(down.sort()).toEqual(impact.down.map((d: any) => d.asset.id).sort());
    const atRisk = await nodesPainted(page, await legendColour(page, 'AT_RISK'));
    expect(atRisk.sort()).toEqual(impact.atRisk.map((d: any) => d.asset.id).sort());
    await expect(nodeColour(page, 'pdu-r2-a')).resolves.toBe(await legendColour(page, 'FAILED'));
    // The cause of each is listed.
    await expect(page.locator('#impact-table tr[data-id="svc-db-primary"]').innerText()).resolves.toMatch(/DOWN\s+svc-db-primary\s+Service\s+3\s+pdu-r2-a/);
    await screenshot(page, '04-impact');
  });

  it('recolours a rack within 1 s of a reported state change (subscriptions)', async () => {
    await page.click('#failed-clear');
    await expect(page.inputValue('#colour-mode')).resolves.toBe('status');
    const report = (assetId: string, status: string) =>
      gql(`mutation($r: [StateReport!]!) { reportState(input: $r) { accepted } }`, {
        r: [{ assetId, observedAt: new Date().toISOString(), values: { status, powerKw: 4.2 } }],
      });
    const waitColour = (id: string, colour: string, timeout: number) =>
      page.waitForFunction(
        ([nodeId, c]) => String((globalThis as any).twinExplorer.cy.getElementById(nodeId).style('background-color')).replace(/\s+/g, '') === c,
        [id, colour] as const,
        { polling: 'raf', timeout },
      );
    // First make sure the subscription is live (its set-up is not what is measured): another rack turns DEGRADED.
    await expect(report('rack-r2-02', 'DEGRADED')).resolves.toEqual({ reportState: { accepted: 1 } });
    await waitColour('rack-r2-02', await legendColour(page, 'DEGRADED'), 10_000);

    const down = await legendColour(page, 'DOWN');
    expect(await nodeColour(page, 'rack-r2-01')).not.toBe(down);
    const started = performance.now();
    await expect(report('rack-r2-01', 'DOWN')).resolves.toEqual({ reportState: { accepted: 1 } });
    await waitColour('rack-r2-01', down, 5_000);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    // It reported just now: no longer stale, and the graph's table says so too.
    await expect(page.evaluate(() => (globalThis as any).twinExplorer.cy.getElementById('rack-r2-01').style('border-style'))).resolves.toBe('solid');
    await page.waitForFunction(() => /DOWN/.test((globalThis as any).document.querySelector('#graph-table tr[data-id="rack-r2-01"]')?.textContent ?? ''));
    process.stderr.write(`e2e: report to recoloured rack-r2-01 in ${elapsed.toFixed(0)} ms\n`);
    await screenshot(page, '05-live');
  });

  it('charts a metric of the rack from its history', async () => {
    const now = Date.now();
    const values = [3.1, 5.4, 4.6];
    await gql(`mutation($r: [StateReport!]!) { reportState(input: $r) { accepted } }`, {
      r: values.map((v, i) => ({ assetId: 'rack-r2-03', observedAt: new Date(now - (values.length - i) * 60_000).toISOString(), values: { powerKw: v } })),
    });
    await clickNode(page, 'rack-r2-03');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#asset-title')?.textContent === 'Rack R2-03');
    await page.selectOption('#history-window', '900');
    await page.waitForFunction(() => /readings/.test((globalThis as any).document.querySelector('#history-summary')?.textContent ?? ''));
    const summary = await page.locator('#history-summary').innerText();
    expect(summary).toContain(`powerKw: ${values.length} readings`);
    expect(summary).toContain(`min ${Math.min(...values)}, max ${Math.max(...values)}`);
    await expect(page.locator('#history-chart canvas').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, '06-history');
  });

  it('runs a RELIABILITY scenario, follows it to SUCCEEDED and shows availabilities on the graph and in a table', async () => {
    await page.click('#tab-scenarios');
    await page.selectOption('#scenario-kind', 'RELIABILITY');
    await page.fill('#scenario-samples', '2000');
    await page.click('#scenario-run');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#scenario-status')?.dataset.status === 'SUCCEEDED', undefined, { timeout: 30_000 });
    await expect(page.locator('#scenario-status').innerText()).resolves.toBe('SUCCEEDED');
    await expect(page.locator('#scenario-progress').evaluate((p) => (p as any).value)).resolves.toBe(1);

    const runId = (await page.locator('#scenario-current-title').innerText()).replace(/^RELIABILITY run /, '');
    const { scenarioRun } = await gql(`query($id: ID!) { scenarioRun(id: $id) { status input results(first: 500) { totalCount nodes { assetId availability } } } }`, { id: runId });
    expect(scenarioRun).toMatchObject({ status: 'SUCCEEDED', input: { samples: 2000 } });
    // The results are read once the run has finished.
    await page.waitForFunction(() => /results/.test((globalThis as any).document.querySelector('#scenario-results-count')?.textContent ?? ''));
    await expect(page.locator('#scenario-results-count').innerText()).resolves.toBe(`${scenarioRun.results.totalCount} results`);
    await expect(page.locator('#scenario-results tbody tr').count()).resolves.toBe(Math.min(100, scenarioRun.results.totalCount));

    // On the graph: the rack's availability in its label and its colour from the legend's band.
    const rack = scenarioRun.results.nodes.find((r: any) => r.assetId === 'rack-r2-01');
    await expect(page.inputValue('#colour-mode')).resolves.toBe('scenario');
    const label = await page.evaluate(() => (globalThis as any).twinExplorer.cy.getElementById('rack-r2-01').data('label'));
    expect(label).toBe(`rack-r2-01\n${(rack.availability * 100).toFixed(3)} %`);
    const band = rack.availability >= 0.9999 ? 'A4' : rack.availability >= 0.999 ? 'A3' : rack.availability >= 0.99 ? 'A2' : 'A1';
    await expect(nodeColour(page, 'rack-r2-01')).resolves.toBe(await legendColour(page, band));
    await screenshot(page, '07-reliability');
  });

  it('runs IMPACT and LOAD scenarios from the page and compares two runs', async () => {
    // IMPACT of the failed set pdu-r2-a, then of pdu-r2-a and pdu-r2-b.
    const runIds: string[] = [];
    const runImpact = async (failed: string[]) => {
      await page.click('#tab-impact');
      if (await page.locator('#failed-clear').isEnabled()) await page.click('#failed-clear');
      for (const id of failed) {
        await page.fill('#failed-add', id);
        await page.press('#failed-add', 'Enter');
      }
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('#failed-list .chip').length === n, failed.length);
      await page.click('#tab-scenarios');
      await page.selectOption('#scenario-kind', 'IMPACT');
      await expect(page.locator('#scenario-failed').innerText()).resolves.toBe(`Fails the what-if set: ${failed.join(', ')}.`);
      const before = await page.locator('#scenario-current-title').innerText();
      await page.click('#scenario-run');
      await page.waitForFunction(
        (prev) => {
          const doc = (globalThis as any).document;
          return doc.querySelector('#scenario-current-title')?.textContent !== prev && doc.querySelector('#scenario-status')?.dataset.status === 'SUCCEEDED';
        },
        before,
        { timeout: 30_000 },
      );
      runIds.push((await page.locator('#scenario-current-title').innerText()).replace(/^IMPACT run /, ''));
    };
    await runImpact(['pdu-r2-a']);
    await runImpact(['pdu-r2-a', 'pdu-r2-b']);

    // Compare them: the page's count is the API's.
    const { compareScenarios } = await gql(`query($a: ID!, $b: ID!) { compareScenarios(a: $a, b: $b) { differences { assetId } } }`, { a: runIds[0], b: runIds[1] });
    expect(compareScenarios.differences.length).toBeGreaterThan(0);
    await page.waitForSelector(`#runs-table tr[data-id="${runIds[1]}"]`);
    await page.check(`#runs-table tr[data-id="${runIds[0]}"] input[name="compare-a"]`);
    await page.check(`#runs-table tr[data-id="${runIds[1]}"] input[name="compare-b"]`);
    await page.click('#runs-compare');
    await page.waitForFunction(() => /assets differ/.test((globalThis as any).document.querySelector('#compare-summary')?.textContent ?? ''));
    await expect(page.locator('#compare-summary').innerText()).resolves.toMatch(new RegExp(`^${compareScenarios.differences.length} assets differ`));
    await expect(page.locator('#compare-table tr[data-id="rack-r2-01"]').innerText()).resolves.toContain('AT_RISK -> DOWN');
    await screenshot(page, '08-compare');

    // LOAD with Server demand scaled and nothing failed: utilization on the graph.
    await page.click('#tab-impact');
    await page.click('#failed-clear');
    await page.click('#tab-scenarios');
    await page.selectOption('#scenario-kind', 'LOAD');
    await expect(page.locator('#scenario-failed').innerText()).resolves.toMatch(/^No failed set/);
    await page.selectOption('#scenario-factor-kind', 'Server');
    await page.fill('#scenario-factor', '1.5');
    const before = await page.locator('#scenario-current-title').innerText();
    await page.click('#scenario-run');
    await page.waitForFunction(
      (prev) => {
        const doc = (globalThis as any).document;
        return doc.querySelector('#scenario-current-title')?.textContent !== prev && doc.querySelector('#scenario-status')?.dataset.status === 'SUCCEEDED';
      },
      before,
      { timeout: 30_000 },
    );
    await page.waitForFunction(() => /results/.test((globalThis as any).document.querySelector('#scenario-results-count')?.textContent ?? ''));
    const loadRun = (await page.locator('#scenario-current-title').innerText()).replace(/^LOAD run /, '');
    const { scenarioRun } = await gql(`query($id: ID!) { scenarioRun(id: $id) { results(first: 500) { nodes { assetId utilization loadKw overloaded state } } } }`, { id: loadRun });
    const rack = scenarioRun.results.nodes.find((r: any) => r.assetId === 'rack-r2-04');
    const label = await page.evaluate(() => (globalThis as any).twinExplorer.cy.getElementById('rack-r2-04').data('label'));
    expect(label).toBe(`rack-r2-04\n${rack.overloaded ? 'OVERLOADED ' : ''}${(rack.utilization * 100).toFixed(0)} %`);
    await expect(page.locator('#scenario-results thead').innerText()).resolves.toContain('Utilization');
    await screenshot(page, '09-load');
  });

  it('loaded nothing from anywhere but the API, and raised no script error', () => {
    const foreign = requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith(origin.replace(/^http/, 'ws') + '/') && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requested.some((url) => url.endsWith('.woff2'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
