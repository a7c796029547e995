import pino from 'pino';
import { currentLogFields } from './logging/log-context';
import { REDACTED, REDACTED_PATHS } from './logging/redaction';

export type Logger = pino.Logger;

/**
 * JSON logs on stdout (or `destination`); credentials, cookies, passwords and tokens never reach
 * them (src/observability/redaction.ts). Lines written while a request is handled carry its
 * `reqId` (src/observability/log-context.ts).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    mixin: () => currentLogFields(),
  };
  return destination ? pino(options, destination) : pino(options);
}
