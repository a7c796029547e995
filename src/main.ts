import { createApp } from './app';
import { loadConfig } from './config';
import { seedDemoTwin } from './demo/demo-twin';
import { createLogger } from './logger';
import { installGracefulShutdown } from './observability/graceful-shutdown';
import { banner } from './server/banner';

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
  process.stdout.write(banner(url, { authOn: app.services.authenticator.enabled, seedDemo: config.seedDemo }));

  // SIGTERM/SIGINT: readiness 503, drain, close, exit 0; a second signal or a hang exits 1.
  installGracefulShutdown({ logger, timeoutMs: config.shutdownTimeoutMs, stop: () => app.stop() });
}

main().catch((err: unknown) => {
  process.stderr.write(`twin graph API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
