import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';
import type { Health } from './health';
import { runWithLogFields } from '../logging/log-context';
import type { TwinMetrics } from './metrics';

/** Header carrying the request id, read from the request when valid and always set on the response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Incoming request ids are kept when they look like ids (no spaces, quotes or control characters). */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Probe and scrape endpoints: served before everything else, never authenticated, not access-logged. */
export const OPERATIONS_PATHS: readonly string[] = ['/livez', '/readyz', '/metrics'];

/** The caller's `x-request-id` when it is a plausible id, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && VALID_REQUEST_ID.test(given) ? given : randomUUID();
}

const pathOf = (url: string | undefined) => (url ?? '/').split('?', 1)[0];

export interface ObservabilityRouterOptions {
  logger: Logger;
  metrics: TwinMetrics;
  health: Health;
}

/**
 * Mount first on the express app. Gives every request an id (the caller's `x-request-id` or a
 * UUID), echoes it in the response header, puts it on every log line written while the request
 * is handled (`reqId`), writes one access log line per request (pino-http; credentials and
 * cookies redacted by the logger) and counts requests (`twin_http_requests_total`, which also
 * sees requests refused before GraphQL runs, e.g. 401). Serves `GET /livez`, `GET /readyz` and
 * `GET /metrics`.
 */
export function observabilityRouter(options: ObservabilityRouterOptions): Router {
  const { logger, metrics, health } = options;
  const accessLog = pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    genReqId(req, res) {
      const id = requestIdOf(req);
      // Later layers (audit, GraphQL plugins) see the id as if the caller had sent it.
      req.headers[REQUEST_ID_HEADER] = id;
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    autoLogging: { ignore: (req) => OPERATIONS_PATHS.includes(pathOf(req.url)) },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, _res, value: Record<string, unknown>) => ({ ...value, reqId: req.id }),
    customErrorObject: (req, _res, _err, value: Record<string, unknown>) => ({ ...value, reqId: req.id }),
  });

  const router = express.Router();
  router.use((req, res, next) => {
    accessLog(req, res);
    res.once('close', () => metrics.httpRequestFinished(req.method, pathOf(req.originalUrl), res.writableFinished ? res.statusCode : 'aborted'));
    runWithLogFields({ reqId: String(req.id) }, next);
  });
  router.get('/livez', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'live' });
  });
  router.get('/readyz', async (_req, res) => {
    const readiness = await health.readiness();
    res
      .status(readiness.ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: readiness.status, checks: readiness.checks, ...(readiness.ready ? {} : { failing: readiness.failing }) });
  });
  router.get('/metrics', async (_req, res) => {
    try {
      const { contentType, body } = await metrics.exposition();
      res.set('content-type', contentType).set('cache-control', 'no-store').send(body);
    } catch (err) {
      logger.error({ err }, 'could not collect metrics');
      res.status(500).type('text/plain').send('could not collect metrics\n');
    }
  });
  return router;
}
