/**
 * Where Debian's Chromium is (the e2e tests drive it with playwright-core; no browser is ever
 * downloaded): CHROMIUM_PATH when set, else the first of the usual paths that exists. Plain
 * JavaScript, so that jest.config.js can ask too.
 */
const { existsSync } = require('node:fs');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

module.exports = { chromiumPath };
