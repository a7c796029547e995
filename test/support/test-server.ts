import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import type { GraphStore } from '../../src/graph/graph-store';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import type { ModelIndex } from '../../src/model/twin-model';
import { STORE, storeEnv, wipeStore } from './stores/test-store';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  url: string;
  app: App;
  store: GraphStore;
  model: ModelIndex;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Put a counting or failing layer around the store. */
  wrapStore?: (s: GraphStore) => GraphStore;
  /** Another instance of the same deployment: same store (and data folder), nothing wiped. */
  sameStoreAs?: TestServer;
}

/**
 * The real server on a free port over an empty store of the kind under test (TEST_STORE): a
 * fresh SQLite file, or the run's Neo4j wiped.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const shared = opts.sameStoreAs?.app.services.config.dataDir;
  const dir = shared ?? mkdtempSync(path.join(os.tmpdir(), 'twin-api-'));
  if (!shared) await wipeStore();
  const config: Config = loadConfig({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', ...storeEnv(), ...opts.env });
  const app = await createApp(config, { logger: createLogger('silent'), wrapStore: opts.wrapStore });
  if (app.services.store.backend !== STORE) throw new Error(`test server runs on ${app.services.store.backend}, not on the store under test (${STORE})`);
  // Loaded before the first request, so that what a test counts or times does not depend on
  // whether the index (loading in the background) was ready yet.
  await app.services.topologyIndex.start();
  const url = await app.listen();
  return {
    url,
    app,
    store: app.services.store,
    model: app.services.model,
    async gql(query, variables) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    },
    async stop() {
      await app.stop();
      if (!shared) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wrap a store so every method call is counted by name. */
export function countingStore(store: GraphStore, calls: Map<string, number>): GraphStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
}
