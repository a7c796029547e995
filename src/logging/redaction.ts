/**
 * Log paths whose values are replaced by `[redacted]` (pino `redact`, src/logger.ts): credentials
 * in request headers (pino-http logs `req.headers`), cookies, and any property named like a
 * secret at the top level or one level down (`{ password }`, `{ neo4j: { password } }`,
 * `{ config: { neo4j: { password } } }`). Paths are fast-redact syntax; `*` is one level.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  ...['password', 'token', 'accessToken', 'refreshToken', 'apiKey', 'secret', 'jwtSecret', 'NEO4J_PASSWORD', 'AUTH_JWT_SECRET', 'AUTH_API_KEYS'].flatMap(
    (key) => [key, `*.${key}`],
  ),
  'neo4j.password',
  '*.neo4j.password',
  'config.neo4j.password',
  'config.auth.jwtSecret',
  'config.auth.apiKeys',
  'auth.jwtSecret',
  'auth.apiKeys',
];

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';
