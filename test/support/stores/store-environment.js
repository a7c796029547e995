/**
 * Jest environment of the store projects (jest.config.js): a Node environment that tells the
 * test which store it runs on (`process.env.TEST_STORE`), and on Neo4j holds a lock for the whole
 * file, so two jest workers never use the one shared database at once (tests wipe it as they
 * start servers). The lock is a folder: mkdir is atomic; a holder that died is detected by pid.
 */
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

/** One lock per database, so two jest runs against the same Neo4j also take turns. */
function lockPath() {
  const uri = process.env.TEST_NEO4J_URI || '';
  return path.join(os.tmpdir(), `twin-test-neo4j-${uri.replace(/[^A-Za-z0-9]+/g, '_')}.lock`);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function acquire(LOCK) {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
      } catch {
        // the holder is between mkdir and writing its pid
      }
      if (holder && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

class StoreEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.store = config.projectConfig.testEnvironmentOptions.store;
    this.global.process.env.TEST_STORE = this.store;
  }

  async setup() {
    await super.setup();
    if (this.store === 'neo4j') await acquire((this.lock = lockPath()));
  }

  async teardown() {
    if (this.lock) rmSync(this.lock, { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = StoreEnvironment;
