import { createApp } from './app';
import { loadConfig } from './config';
import { seedDemoTwin } from './demo/demo-twin';
import { createLogger } from './logger';
import { installGracefulShutdown } from './observability/graceful-shutdown';

/** `npm start`: configuration from the environment, the app, the demo twin when empty, listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, { logger });
  const { store, model } = app.services;
  logger.info({ backend: store.backend, model: `${model.model.name}@${model.model.version}` }, 'graph store ready');

  if (config.seedDemo && (await store.countAssets({})) === 0) {
    const report = await seedDemoTwin(store, model);
    logger.info({ assets: report.assets.written, relationships: report.relationships.written }, 'seeded the demo twin');
  }

  const url = await app.listen();
  logger.info({ url }, 'twin graph API listening');
  process.stdout.write(banner(url));

  // SIGTERM/SIGINT: readiness 503, drain, close, exit 0; a second signal or a hang exits 1.
  installGracefulShutdown({ logger, timeoutMs: config.shutdownTimeoutMs, stop: () => app.stop() });
}

function banner(url: string): string {
  const curl = (query: string) =>
    `  curl -s ${url} -H 'content-type: application/json' \\\n    -d '${JSON.stringify({ query })}'`;
  return [
    '',
    `Twin graph API: ${url}  (open it in a browser for the GraphQL sandbox)`,
    '',
    'What depends on UPS A (three hops down)?',
    curl('{ asset(id: "ups-a") { name dependents(maxDepth: 3) { depth asset { id kind } } } }'),
    '',
    'What breaks if both PDUs of row 2 fail?',
    curl('{ impact(failed: ["pdu-r2-a", "pdu-r2-b"]) { down { asset { id kind } depth cause } atRisk { asset { id } } } }'),
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`twin graph API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
