/**
 * Jest runs the TypeScript sources directly through ts-jest (CommonJS, like the build), in four
 * projects: `unit` (pure), the storage-touching suites (contract and integration) once per
 * store, `sqlite` and `neo4j`, and `e2e`: the explorer page in a real headless Chromium against
 * the real API on SQLite. The neo4j project starts one real Neo4j for the run (neo4j-local/,
 * needs Java 17+ and Maven) unless TEST_NEO4J_URI names a disposable one; the e2e project drives
 * Debian's `chromium` (or CHROMIUM_PATH) with playwright-core and builds the explorer first.
 *
 * TEST_STORES=sqlite (or neo4j) narrows the stores. Without Java or Maven the neo4j project is
 * left out with a notice, and so is the e2e project without Chromium, except in CI (CI=true),
 * where either is an error.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync } = require('node:fs');
const { chromiumPath } = require('./test/e2e/support/chromium.js');

const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
};
const STORE_SUITES = ['<rootDir>/test/integration/**/*.test.ts'];

function storeProject(store, extra = {}) {
  return {
    ...base,
    displayName: store,
    testMatch: [`<rootDir>/test/contract/${store}.*.test.ts`, ...STORE_SUITES],
    testEnvironment: '<rootDir>/test/support/stores/store-environment.js',
    testEnvironmentOptions: { store },
    ...extra,
  };
}

/** Debian's PostgreSQL server binaries (the test support starts a throwaway cluster with them). */
function hasPostgres() {
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((major) => existsSync(`${root}/${major}/bin/initdb`));
}

function neo4jUnavailable() {
  if (process.env.TEST_NEO4J_URI) return null;
  const missing = ['java -version', 'mvn -v'].filter((cmd) => {
    const [bin, ...args] = cmd.split(' ');
    return spawnSync(bin, args, { stdio: 'ignore' }).status !== 0;
  });
  // The neo4j project is the production combination: Neo4j with PostgreSQL state history.
  const postgres = process.env.TEST_HISTORY_URL || hasPostgres();
  if (!postgres) missing.push('postgresql');
  return missing.length ? `${missing.map((c) => c.split(' ')[0]).join(' and ')} not found` : null;
}

const stores = (process.env.TEST_STORES || 'sqlite,neo4j').split(',').map((s) => s.trim());
const projects = [{ ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] }];
if (stores.includes('sqlite')) projects.push(storeProject('sqlite'));
if (stores.includes('neo4j')) {
  const why = neo4jUnavailable();
  if (!why) {
    projects.push(
      storeProject('neo4j', {
        globalSetup: '<rootDir>/test/support/stores/neo4j-global-setup.ts',
        globalTeardown: '<rootDir>/test/support/stores/neo4j-global-teardown.ts',
      }),
    );
  } else if (process.env.CI) {
    throw new Error(`CI must run the suites on Neo4j with PostgreSQL history, but ${why}: install openjdk-17-jdk-headless, maven and postgresql`);
  } else {
    process.env.TEST_NEO4J_SKIPPED = `${why}; the Neo4j project needs Java 17+ and Maven (or TEST_NEO4J_URI) and PostgreSQL (or TEST_HISTORY_URL)`;
  }
}

const chromium = chromiumPath();
if (chromium) {
  process.env.TEST_CHROMIUM_PATH = chromium;
  projects.push({
    ...base,
    displayName: 'e2e',
    testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  });
} else if (process.env.CI) {
  throw new Error('CI must run the explorer end-to-end tests, but Chromium was not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
} else {
  process.env.TEST_E2E_SKIPPED = 'Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)';
}

module.exports = {
  projects,
  testTimeout: 30000,
  // Tests close what they open; this is a safety net so that a leaked socket can never hang CI.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/e2e/support/skip-notice-reporter.js', '<rootDir>/test/support/stores/store-summary-reporter.js'],
};
