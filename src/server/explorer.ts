import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config';

/** Where the explorer page is served. */
export const EXPLORER_PATH = '/explorer';

/**
 * The explorer's bundle (explorer/build.ts writes it; `npm start` builds it first, as does
 * `npm run build` and the e2e tests' global setup). From src/server under tsx, or from
 * dist/src/server in the compiled image, the first folder that exists.
 */
const BUNDLE_CANDIDATES = [path.resolve(__dirname, '../../explorer/dist'), path.resolve(__dirname, '../../../explorer/dist')];

export function explorerBundleDir(): string | undefined {
  return BUNDLE_CANDIDATES.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/**
 * Everything the page loads comes from this server: scripts, styles and fonts from 'self', data
 * from /graphql over HTTP and WebSocket (same origin; 'self' covers ws: and wss: of this host).
 * Inline style attributes are allowed because cytoscape and uPlot position elements with them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/** What the page needs to know of this server that the schema does not say: its limits. */
export function explorerSettings(config: Config) {
  return {
    graphqlPath: '/graphql',
    maxTraversalDepth: config.maxTraversalDepth,
    maxPageSize: config.maxPageSize,
    maxListItems: config.maxListItems,
    maxSamples: config.scenarios.maxSamples,
    defaultSamples: config.scenarios.defaultSamples,
  };
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Twin explorer not built</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The twin explorer is not built</h1>
<p>Its bundle (<code>explorer/dist/</code>) is missing. <code>npm start</code> builds it before starting;
run <code>npm run build:explorer</code> once if you start the API another way, then reload this page.</p>
</body></html>`;

/**
 * The twin explorer (explorer/): the page at /explorer, its bundle under /explorer/, its settings
 * at /explorer/settings.json, and `/` redirecting a browser (an Accept header naming text/html)
 * there. The page itself needs no credentials; everything it shows comes through /graphql with
 * the caller's own key or token.
 */
export function explorerRouter(config: Config, findBundle: () => string | undefined = explorerBundleDir): Router {
  const router = Router();
  // Looked up until found, so a bundle built after the server started is served without a restart.
  let bundleDir: string | undefined;
  let serveFiles: ReturnType<typeof express.static> | undefined;
  const bundle = () => {
    if (!bundleDir && (bundleDir = findBundle())) serveFiles = express.static(bundleDir, { index: false, redirect: false, maxAge: 0 });
    return bundleDir;
  };

  router.get('/', (req, res, next) => {
    if (/\btext\/html\b/.test(req.headers.accept ?? '')) res.redirect(302, EXPLORER_PATH);
    else next();
  });
  router.use(EXPLORER_PATH, securityHeaders);
  router.get(`${EXPLORER_PATH}/settings.json`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(explorerSettings(config));
  });
  // The page refers to its files by absolute path, so /explorer and /explorer/ are the same page.
  router.get([EXPLORER_PATH, `${EXPLORER_PATH}/`], (_req, res) => {
    const dir = bundle();
    if (!dir) {
      res.status(503).setHeader('Cache-Control', 'no-store').type('html').send(NOT_BUILT);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'));
  });
  // Revalidated on every load (the file names carry no hash), so a rebuilt bundle is picked up.
  router.use(EXPLORER_PATH, (req, res, next) => (bundle() && serveFiles ? serveFiles(req, res, next) : next()));
  return router;
}
