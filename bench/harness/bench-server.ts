/**
 * The API under test, as a child process of the benchmark (so the load generator does not share
 * its event loop): createApp from the environment (DATA_DIR or NEO4J_URI, REDIS_URL...) on a free
 * port, plus, on a second port, the same SDL with the naive resolvers (bench/harness/naive-schema.ts)
 * over the same store, and a control endpoint that reads or resets the store meter.
 *
 * Prints one JSON line `{ready: true, url, naiveUrl, controlUrl, backend, history, queue, pubsub, topologyIndex}` on
 * stdout when listening. SIGTERM (or SIGINT) stops both servers and the app, then exits 0, so
 * `--cpu-prof` writes its profile. BENCH_SERVER_DEBUG=1 logs the shutdown steps on stderr.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createRequestContext, type RequestContext } from '../../src/resolvers/context';
import { errorFormatter } from '../../src/server/format-error';
import { naiveSchema } from './naive-schema';
import { StoreMeter } from './store-meter';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL || 'warn' });
  const logger = createLogger(config.logLevel);
  const meter = new StoreMeter();
  const app = await createApp(config, { logger, wrapStore: (store) => meter.wrap(store) });
  // Measure the API as it runs once started: with its topology index loaded (how long that took is reported).
  await app.services.topologyIndex.start();
  const url = await app.listen();

  // The naive path: same services (and so the same metered store), no DataLoader.
  const naive = express();
  const naiveServer = http.createServer(naive);
  const apollo = new ApolloServer<RequestContext>({
    schema: naiveSchema(),
    formatError: errorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    // This process handles SIGTERM itself (below).
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  naive.get('/meter', (_req, res) => void res.json(meter.snapshot()));
  naive.post('/meter/reset', (_req, res) => {
    meter.reset();
    res.json({ ok: true });
  });
  naive.use('/graphql', express.json({ limit: '5mb' }), expressMiddleware(apollo, { context: async () => createRequestContext(app.services) }));
  await new Promise<void>((resolve) => naiveServer.listen(0, '127.0.0.1', resolve));
  const port = (naiveServer.address() as AddressInfo).port;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const step = (name: string) => process.env.BENCH_SERVER_DEBUG && process.stderr.write(`bench server: ${name}\n`);
    step('closing the naive server');
    naiveServer.closeAllConnections();
    await new Promise<void>((resolve) => naiveServer.close(() => resolve()));
    step('stopping naive apollo');
    await apollo.stop();
    step('stopping the app');
    await app.stop();
    step('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      pid: process.pid,
      url,
      naiveUrl: `http://127.0.0.1:${port}/graphql`,
      controlUrl: `http://127.0.0.1:${port}`,
      backend: app.services.store.backend,
      queue: app.queue.backend,
      history: app.services.history.backend,
      pubsub: config.redisUrl ? 'redis' : 'in-process',
      topologyIndex: app.services.topologyIndex.status,
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
