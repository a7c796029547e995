import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stdout; `authorization` headers and passwords never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: ['req.headers.authorization', '*.password', 'password'],
  });
}
