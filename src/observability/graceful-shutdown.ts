import type { Logger } from '../logger';

/**
 * Time on top of SHUTDOWN_TIMEOUT_MS for closing pub/sub, queue and store once draining is over;
 * past it the process exits 1 whatever is still pending. An orchestrator's grace period (e.g.
 * Kubernetes terminationGracePeriodSeconds) should be at least SHUTDOWN_TIMEOUT_MS plus this.
 */
export const SHUTDOWN_CLOSE_GRACE_MS = 5000;

export interface GracefulShutdownOptions {
  logger: Logger;
  /** SHUTDOWN_TIMEOUT_MS: how long draining (in-flight requests, running jobs) may take. */
  timeoutMs: number;
  /** Drain and close everything; called once, on the first signal. */
  stop: () => Promise<void>;
  /** Message of the first signal's log line. Default `shutting down`. */
  message?: string;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Default process.exit; tests replace it. */
  exit?: (code: number) => void;
  /** Default SHUTDOWN_CLOSE_GRACE_MS. */
  closeGraceMs?: number;
}

/**
 * Signal handling for `npm start` and `npm run worker`. The first signal logs `message`, calls
 * `stop()` and exits 0 once it resolves (1 when it fails). A second signal, or `stop()` still
 * pending `timeoutMs + closeGraceMs` after the first, forces exit 1 with an error log line.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): { shutdown(signal: string): Promise<void> } {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.error({ signal }, 'second signal during shutdown: forcing exit');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, timeoutMs: options.timeoutMs }, options.message ?? 'shutting down');
    const limitMs = options.timeoutMs + (options.closeGraceMs ?? SHUTDOWN_CLOSE_GRACE_MS);
    const force = setTimeout(() => {
      logger.error({ signal, afterMs: limitMs }, 'shutdown did not finish in time: forcing exit');
      exit(1);
    }, limitMs);
    try {
      await options.stop();
      clearTimeout(force);
      logger.info({ signal }, 'shutdown complete');
      exit(0);
    } catch (err) {
      clearTimeout(force);
      logger.error({ err, signal }, 'shutdown failed');
      exit(1);
    }
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => void shutdown(signal));
  return { shutdown };
}

/**
 * Wait for `work` until `deadline` (epoch ms): true when it settled in time (its error is
 * rethrown), false when time ran out first (it keeps running).
 */
export async function settlesBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  // Never rejects, so a failure after the deadline is not an unhandled rejection.
  const outcome = work.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()));
  });
  const settled = await Promise.race([outcome, timeUp]);
  clearTimeout(timer);
  if (settled === null) return false;
  if (settled.failed) throw settled.error;
  return true;
}
