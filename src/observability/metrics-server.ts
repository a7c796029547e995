import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { Health } from './health';
import type { TwinMetrics } from './metrics';

export interface MetricsServerOptions {
  host: string;
  /** METRICS_PORT; 0 picks a free port. */
  port: number;
  metrics: TwinMetrics;
  health: Health;
  logger: Logger;
}

export interface MetricsServer {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

/**
 * A small HTTP server for processes without an API (`npm run worker` with METRICS_PORT):
 * `GET /metrics`, `GET /livez` and `GET /readyz`, with the same answers as the API's.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { metrics, health, logger } = options;
  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/livez') return send(res, 200, 'application/json', JSON.stringify({ status: 'live' }));
    if (path === '/readyz') {
      void health.readiness().then((r) =>
        send(res, r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.status, checks: r.checks, ...(r.ready ? {} : { failing: r.failing }) })),
      );
      return undefined;
    }
    if (path === '/metrics') {
      void metrics.exposition().then(
        ({ contentType, body }) => send(res, 200, contentType, body),
        (err: unknown) => {
          logger.error({ err }, 'could not collect metrics');
          send(res, 500, 'text/plain', 'could not collect metrics\n');
        },
      );
      return undefined;
    }
    return send(res, 404, 'text/plain', 'not found: /metrics, /livez, /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
