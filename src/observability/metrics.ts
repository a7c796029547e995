import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryObserver } from '../live/delivery-observer';
import type { StateIngestObserver } from '../live/state-ingest-observer';
import type { TopologyIndex } from '../graph/topology-index';
import type { ScenarioKind } from '../graph/scenario-types';
import type { FidelityObserver } from '../sim-queue/fidelity-checks';
import type { ScenarioJobObserver, ScenarioJobOutcome } from '../sim-queue/scenario-job-observer';

type TopologyIndexStatus = TopologyIndex['status'];

export interface TwinMetricsOptions {
  /** Include prom-client's default process and Node.js metrics. Default true. */
  defaultMetrics?: boolean;
  /** Labels put on every series of this registry, e.g. `{ role: 'worker' }`. Default none. */
  defaultLabels?: Record<string, string>;
}

/** Label value for GraphQL operations without a name. */
export const ANONYMOUS_OPERATION = 'anonymous';
/** Label value when the request never got to an operation (unparsable, invalid, no such operation). */
export const UNKNOWN_OPERATION = 'unknown';
/** Label value for operation names beyond MAX_OPERATION_NAMES distinct ones. */
export const OTHER_OPERATION = 'other';
/**
 * Distinct operation names kept as label values; clients choose names, so the number of series
 * must be bounded. Later names are counted under `other`.
 */
export const MAX_OPERATION_NAMES = 200;

const SCENARIO_KINDS: ScenarioKind[] = ['IMPACT', 'RELIABILITY', 'LOAD', 'CALIBRATE'];
const RUN_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const REPORT_OUTCOMES = ['ACCEPTED', 'DUPLICATE', 'STALE', 'REJECTED'];
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const HTTP_PATHS = ['/graphql', '/ingest', '/livez', '/readyz', '/metrics'];
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** Why the server refused or closed a WebSocket connection (twin_websocket_server_closes_total). */
export const WEBSOCKET_CLOSE_REASONS = ['unauthenticated', 'forbidden', 'too_many_connections', 'token_expired', 'slow_consumer'] as const;
export type WebSocketCloseReason = (typeof WEBSOCKET_CLOSE_REASONS)[number];

/**
 * The Prometheus metrics of one app (API or worker), in a registry of its own so that several
 * apps in one process (tests) never share series. See README "Observability and operations" for
 * what each one means.
 */
export class TwinMetrics implements StateIngestObserver, ScenarioJobObserver, FidelityObserver, DeliveryObserver {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'path' | 'status'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  readonly graphqlErrors: Counter<'code'>;
  readonly subscriptionsActive: Gauge;
  readonly webSocketsActive: Gauge;
  readonly webSocketServerCloses: Counter<'reason'>;
  readonly subscriptionExecutions: Gauge;
  readonly subscriptionDeliveries: Counter;
  readonly subscriberQueueDepth: Histogram;
  readonly subscriptionReplayed: Counter;
  readonly stateReports: Counter<'outcome'>;
  readonly stateFreshness: Histogram;
  readonly scenarioQueueDepth: Gauge;
  readonly topologyIndexReady: Gauge;
  readonly topologyIndexEntries: Gauge;
  readonly scenarioJobDuration: Histogram<'kind' | 'status'>;
  readonly scenarioRuns: Counter<'kind' | 'status'>;
  readonly fidelityMape: Gauge;
  readonly fidelityChecks: Counter<'drift'>;
  private queueDepthSource: (() => Promise<number>) | null = null;
  private topologyIndexSource: (() => TopologyIndexStatus) | null = null;
  private readonly operationNames = new Set<string>();

  constructor(options: TwinMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    this.httpRequests = new Counter({
      name: 'twin_http_requests_total',
      help: 'HTTP requests answered, by method, path (/graphql, /ingest, /livez, /readyz, /metrics, other) and status code (aborted when the client left first).',
      labelNames: ['method', 'path', 'status'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'twin_graphql_request_duration_seconds',
      help: 'GraphQL requests over HTTP, from receipt to response, by operation name and type (query, mutation, subscription; unknown when the request did not parse or validate).',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.graphqlErrors = new Counter({
      name: 'twin_graphql_errors_total',
      help: 'Errors in GraphQL responses over HTTP, by extensions.code as the client saw it (INTERNAL_SERVER_ERROR for masked ones).',
      labelNames: ['code'],
      registers,
    });
    this.subscriptionsActive = new Gauge({
      name: 'twin_subscriptions_active',
      help: 'GraphQL subscriptions currently running over WebSocket.',
      registers,
    });
    this.webSocketsActive = new Gauge({
      name: 'twin_websocket_connections_active',
      help: 'WebSocket connections currently initialised (accepted connection_init).',
      registers,
    });
    this.webSocketServerCloses = new Counter({
      name: 'twin_websocket_server_closes_total',
      help: 'WebSocket connections the server refused or closed, by reason: unauthenticated, forbidden, too_many_connections (WS_MAX_CONNECTIONS_PER_PRINCIPAL), token_expired, slow_consumer.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of WEBSOCKET_CLOSE_REASONS) this.webSocketServerCloses.inc({ reason }, 0);
    this.subscriptionExecutions = new Gauge({
      name: 'twin_subscription_executions_active',
      help: 'Distinct subscription executions running: subscribers with the same document, variables and role share one (fewer than twin_subscriptions_active when they share).',
      registers,
    });
    this.subscriptionDeliveries = new Counter({
      name: 'twin_subscription_deliveries_total',
      help: 'Subscription events written to WebSocket subscribers (one per subscriber per event).',
      registers,
    });
    this.subscriptionReplayed = new Counter({
      name: 'twin_subscription_replayed_events_total',
      help: 'Events read from the replay log for resuming subscriptions (after:), after their filters; one catch-up serves every subscriber resuming from the same cursor.',
      registers,
    });
    this.subscriberQueueDepth = new Histogram({
      name: 'twin_subscriber_queue_depth',
      help: 'Events a subscriber had written but not yet flushed to its socket, seen at each delivery (WS_MAX_QUEUED_EVENTS disconnects it).',
      buckets: [0, 1, 4, 16, 64, 256, 1024],
      registers,
    });
    this.stateReports = new Counter({
      name: 'twin_state_reports_total',
      help: 'State reports ingested (reportState and POST /ingest), by outcome: ACCEPTED, DUPLICATE, STALE, REJECTED.',
      labelNames: ['outcome'],
      registers,
    });
    this.stateFreshness = new Histogram({
      name: 'twin_state_freshness_seconds',
      help: 'Age of accepted state reports when ingested: now minus observedAt (0 for reports from slightly in the future).',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 21600, 86400],
      registers,
    });
    const metrics = this;
    this.scenarioQueueDepth = new Gauge({
      name: 'twin_scenario_queue_depth',
      help: 'Scenario jobs waiting or delayed in the queue, read at scrape time (NaN when the queue cannot be reached).',
      registers,
      async collect() {
        if (!metrics.queueDepthSource) return;
        try {
          this.set(await metrics.queueDepthSource());
        } catch {
          this.set(Number.NaN);
        }
      },
    });
    const indexStatus = () => metrics.topologyIndexSource?.();
    this.topologyIndexReady = new Gauge({
      name: 'twin_topology_index_ready',
      help: 'Whether the in-memory topology index answers walks (1), or they go to the store (0: loading, off, or past TOPOLOGY_INDEX_MAX_ASSETS).',
      registers,
      collect() {
        const status = indexStatus();
        if (status) this.set(status.state === 'ready' ? 1 : 0);
      },
    });
    this.topologyIndexEntries = new Gauge({
      name: 'twin_topology_index_entries',
      help: 'What the in-memory topology index holds, by kind (assets, relationships): its memory grows with them.',
      labelNames: ['kind'],
      registers,
      collect() {
        const status = indexStatus();
        if (!status) return;
        this.set({ kind: 'assets' }, status.assets);
        this.set({ kind: 'relationships' }, status.relationships);
      },
    });
    this.scenarioJobDuration = new Histogram({
      name: 'twin_scenario_job_duration_seconds',
      help: 'Scenario job attempts, from RUNNING to their end, by kind and outcome (SUCCEEDED, FAILED, CANCELLED; RETRYING for a failed attempt that will be retried). Recorded where jobs run.',
      labelNames: ['kind', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.scenarioRuns = new Counter({
      name: 'twin_scenario_runs_total',
      help: 'Scenario runs finished, by kind and final status (SUCCEEDED, FAILED, CANCELLED); success rate = SUCCEEDED / all. Recorded where jobs run.',
      labelNames: ['kind', 'status'],
      registers,
    });

    this.fidelityMape = new Gauge({
      name: 'twin_model_fidelity_mape',
      help: 'MAPE of the latest LOAD fidelity check (LOAD prediction against observed load; 0.1 = 10%). Set where the API sees runs finish.',
      registers,
    });
    this.fidelityChecks = new Counter({
      name: 'twin_model_fidelity_checks_total',
      help: 'LOAD fidelity checks seen, by whether their MAPE exceeded DRIFT_MAPE_THRESHOLD (drift "true" or "false").',
      labelNames: ['drift'],
      registers,
    });

    // Series that exist from the start, so that rates and ratios are defined before the first event.
    for (const outcome of REPORT_OUTCOMES) this.stateReports.inc({ outcome }, 0);
    for (const drift of ['true', 'false']) this.fidelityChecks.inc({ drift }, 0);
    for (const kind of SCENARIO_KINDS) for (const status of RUN_STATUSES) this.scenarioRuns.inc({ kind, status }, 0);
  }

  /** Where `twin_scenario_queue_depth` is read from at each scrape (ScenarioQueue.depth()). */
  watchQueueDepth(source: () => Promise<number>): void {
    this.queueDepthSource = source;
  }

  /** Read the topology index's status at each scrape. */
  watchTopologyIndex(source: () => TopologyIndexStatus): void {
    this.topologyIndexSource = source;
  }

  /** The text exposition of every metric, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  httpRequestFinished(method: string | undefined, path: string, status: number | 'aborted'): void {
    this.httpRequests.inc({
      method: method && HTTP_METHODS.includes(method) ? method : 'other',
      path: HTTP_PATHS.includes(path) ? path : 'other',
      status: String(status),
    });
  }

  graphqlRequestFinished(operation: string | null | undefined, type: string | undefined, seconds: number): void {
    this.graphqlDuration.observe({ operation: this.operationLabel(operation, type), type: type ?? UNKNOWN_OPERATION }, seconds);
  }

  graphqlError(code: unknown): void {
    this.graphqlErrors.inc({ code: typeof code === 'string' && ERROR_CODE.test(code) ? code : 'INTERNAL_SERVER_ERROR' });
  }

  stateBatchIngested(outcomes: readonly string[], acceptedObservedAt: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    for (const [outcome, n] of counts) this.stateReports.inc({ outcome }, n);
    const now = Date.now();
    for (const observedAt of acceptedObservedAt) {
      const at = Date.parse(observedAt);
      if (Number.isFinite(at)) this.stateFreshness.observe(Math.max(0, (now - at) / 1000));
    }
  }

  executions(delta: 1 | -1): void {
    this.subscriptionExecutions.inc(delta);
  }

  delivered(count: number): void {
    this.subscriptionDeliveries.inc(count);
  }

  queueDepth(depth: number): void {
    this.subscriberQueueDepth.observe(depth);
  }

  replayed(count: number): void {
    this.subscriptionReplayed.inc(count);
  }

  fidelityChecked(check: { mape: number | null; drift: boolean }): void {
    this.fidelityChecks.inc({ drift: String(check.drift) });
    if (check.mape !== null) this.fidelityMape.set(check.mape);
  }

  scenarioJobFinished(kind: string, outcome: ScenarioJobOutcome, seconds: number): void {
    this.scenarioJobDuration.observe({ kind, status: outcome }, seconds);
    if (outcome !== 'RETRYING') this.scenarioRuns.inc({ kind, status: outcome });
  }

  private operationLabel(name: string | null | undefined, type: string | undefined): string {
    if (!type) return UNKNOWN_OPERATION;
    if (!name) return ANONYMOUS_OPERATION;
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
    this.operationNames.add(name);
    return name;
  }
}
