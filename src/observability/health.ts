import type { Logger } from '../logger';

/** A readiness check: resolves when the dependency answers, rejects (or times out) otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export type CheckResult = 'ok' | 'failed' | 'timeout';

export interface Readiness {
  ready: boolean;
  /** `ready`; `draining` once shutdown began; `unavailable` when a check fails. */
  status: 'ready' | 'draining' | 'unavailable';
  /** Each check's result (none while draining: dependencies are being closed). */
  checks: Record<string, CheckResult>;
  /** Names of what keeps the process from being ready (`draining` or failing checks). */
  failing: string[];
}

export interface HealthOptions {
  logger: Logger;
  /** Longest a check may take before it counts as failed. Default 2000 ms. */
  checkTimeoutMs?: number;
}

/**
 * Liveness and readiness. Live while the process runs; ready when every check answers in time
 * and the process is not draining. Check failures are logged (with their cause, which responses
 * leave out) when a check starts failing and when it recovers, not on every probe.
 */
export class Health {
  private draining = false;
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly failingSince = new Map<string, number>();
  private readonly checkTimeoutMs: number;

  constructor(private readonly options: HealthOptions) {
    this.checkTimeoutMs = options.checkTimeoutMs ?? 2000;
  }

  /** Add (or replace) a named readiness check. */
  addCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** From now on readiness answers 503 `draining` (shutdown began); there is no way back. */
  beginDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async readiness(): Promise<Readiness> {
    if (this.draining) return { ready: false, status: 'draining', checks: {}, failing: ['draining'] };
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await this.run(name, check)] as const));
    const checks = Object.fromEntries(entries) as Record<string, CheckResult>;
    const failing = entries.filter(([, result]) => result !== 'ok').map(([name]) => name);
    // Draining may have begun while the checks ran.
    if (this.draining) return { ready: false, status: 'draining', checks: {}, failing: ['draining'] };
    return { ready: failing.length === 0, status: failing.length ? 'unavailable' : 'ready', checks, failing };
  }

  private async run(name: string, check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.checkTimeoutMs);
    });
    let cause: unknown = null;
    const attempt = Promise.resolve()
      .then(check)
      .then(
        () => 'ok' as const,
        (err: unknown) => {
          cause = err;
          return 'failed' as const;
        },
      );
    const result = await Promise.race([attempt, timeout]);
    clearTimeout(timer);
    if (result === 'ok') {
      const since = this.failingSince.get(name);
      if (since !== undefined) {
        this.failingSince.delete(name);
        this.options.logger.info({ check: name, failedForMs: Date.now() - since }, 'readiness check recovered');
      }
    } else if (!this.failingSince.has(name)) {
      this.failingSince.set(name, Date.now());
      this.options.logger.warn({ check: name, result, err: cause ?? undefined }, 'readiness check failing');
    }
    return result;
  }
}
