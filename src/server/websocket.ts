import type http from 'node:http';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { AuthError } from '../auth/authenticator';
import { costLimitError, operationCost } from './query-cost';
import { queryLimitRules } from './security';
import type { Disposable } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import type { SubscriberLink } from '../live/event-queue';
import type { Logger } from '../logger';
import type { WebSocketCloseReason } from '../observability/metrics';
import type { WebSocketObserver } from '../observability/websocket-observer';
import { createRequestContext, type AppServices, type RequestContext } from '../resolvers/context';
import { createLoaders } from '../resolvers/loaders';
import { SharedSubscriptions, type SharedContext } from './shared-subscriptions';

// The project resolves modules the node10 way, which ignores package "exports": the types come
// from the file that the 'graphql-ws/use/ws' export points at; Node loads the export itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as typeof import('graphql-ws/dist/use/ws');

/** WebSocket close code for a policy violation: used for slow consumers. */
export const CLOSE_SLOW_CONSUMER = 1008;

/**
 * How long a slow consumer has to read up to the close frame (which waits behind the unsent
 * data) before its socket is cut.
 */
export const SLOW_CONSUMER_CLOSE_GRACE_MS = 5000;

/** WebSocket close code for credentials that are missing, bad or (on an open connection) expired. */
export const CLOSE_UNAUTHORIZED = 4401;
/** WebSocket close code for a principal past WS_MAX_CONNECTIONS_PER_PRINCIPAL (graphql-ws clients do not retry it). */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

/** `extensions.code` of the error refusing one subscription too many on a connection. */
export const TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS';

export type ConnectionParams = Record<string, unknown>;

/** What is kept per connection, next to graphql-ws's `socket` and `request`. */
type ConnectionState = {
  /** Built once, when the client initialises the connection. */
  context?: RequestContext;
  link?: SubscriberLink;
};

export interface WebSocketServerOptions {
  httpServer: http.Server;
  /** Path of the endpoint, shared with HTTP. */
  path: string;
  schema: GraphQLSchema;
  services: AppServices;
  /** The same error formatting as HTTP (codes kept, unexpected errors logged and masked). */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Counts connections and subscriptions for metrics; optional. */
  observer?: WebSocketObserver;
}

/**
 * The one place where a connection's parameters (`connectionParams` of `connection_init`)
 * become the context its operations run with. Authentication belongs here: read a token from
 * `connectionParams`, and throw to refuse the connection.
 */
export async function connectionContext(
  services: AppServices,
  connectionParams: Readonly<ConnectionParams>,
  request: http.IncomingMessage,
): Promise<RequestContext> {
  // Browsers cannot set headers on a WebSocket: the token may come in connectionParams instead.
  const fromParams = connectionParams.authorization ?? connectionParams.Authorization;
  const authorization = typeof fromParams === 'string' ? fromParams : request.headers.authorization;
  return createRequestContext(services, await services.authenticator.authenticate(authorization));
}

/**
 * GraphQL over WebSocket (graphql-transport-ws protocol, graphql-ws 6) on the HTTP server's
 * port and path. Limits from `config.subscriptions`: messages larger than maxPayloadBytes close
 * the connection (1009); more than maxPerConnection operations at once on one connection get a
 * TOO_MANY_SUBSCRIPTIONS error; a consumer that falls more than maxBufferedBytes of unsent data
 * or maxQueuedEvents events (per subscription) behind is disconnected with 1008; a principal
 * holding maxConnectionsPerPrincipal connections on this instance is refused another (4429); a
 * connection whose token expires is closed at its expiry (4401), so that it neither receives nor
 * writes on credentials that are no longer valid.
 * Returns what to dispose when the server drains.
 */
export function createWebSocketServer(options: WebSocketServerOptions): Disposable {
  const { services, formatError } = options;
  const { config, logger } = services;
  const limits = config.subscriptions;
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: limits.maxPayloadBytes });

  const limitRules = queryLimitRules(config.limits);
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const connections = new PrincipalConnections(limits.maxConnectionsPerPrincipal);
  const shared = new SharedSubscriptions({ limits: { ...limits, maxHeldWhileResuming: Math.max(limits.maxQueuedEvents, config.replay.maxEvents) }, logger, format, observer: services.deliveries });
  const serverClose = (socket: WebSocket, code: number, reason: WebSocketCloseReason, message: string) => {
    options.observer?.serverClosed(reason);
    socket.close(code, closeReason(message));
  };

  return useServer<ConnectionParams, ConnectionState>(
    {
      schema: options.schema,
      // Close reasons never carry internal error messages.
      isProd: true,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        try {
          ctx.extra.context = await connectionContext(services, ctx.connectionParams ?? {}, request);
        } catch (err) {
          if (!(err instanceof AuthError)) throw err;
          logger.warn({ code: err.code, reason: err.message }, 'refused WebSocket connection');
          // 4401 Unauthorized for missing or bad credentials, 4403 Forbidden otherwise.
          if (err.code === 'UNAUTHENTICATED') serverClose(socket, CLOSE_UNAUTHORIZED, 'unauthenticated', err.message);
          else serverClose(socket, 4403, 'forbidden', err.message);
          return false;
        }
        // The client may have gone while its credentials were checked: nothing to count then.
        if (socket.readyState !== socket.OPEN) return false;
        const { principal } = ctx.extra.context;
        const holder = principal.method === 'none' ? `anonymous@${request.socket.remoteAddress ?? '?'}` : principal.id;
        if (!connections.open(holder, socket)) {
          logger.warn({ principal: holder, limit: limits.maxConnectionsPerPrincipal }, 'refused WebSocket connection: too many for this principal');
          serverClose(socket, CLOSE_TOO_MANY_CONNECTIONS, 'too_many_connections', `too many connections for ${holder}: at most ${limits.maxConnectionsPerPrincipal} (WS_MAX_CONNECTIONS_PER_PRINCIPAL)`);
          return false;
        }
        if (principal.expiresAt !== undefined) {
          closeAtExpiry(socket, principal.expiresAt, () => {
            logger.info({ principal: holder }, 'closing WebSocket connection: its token expired');
            serverClose(socket, CLOSE_UNAUTHORIZED, 'token_expired', 'token expired');
          });
        }
        ctx.extra.link = subscriberLink(socket, limits, logger, () => options.observer?.serverClosed('slow_consumer'));
        options.observer?.connected(ctx);
        return true;
      },
      onSubscribe(ctx, id, payload) {
        // The same depth, alias and cost limits as HTTP.
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err as GraphQLError];
        }
        const invalid = validate(options.schema, document, [...specifiedRules, ...limitRules]);
        if (invalid.length) return invalid;
        const operation = getOperationAST(document, payload.operationName);
        const tooCostly = operation && costLimitError(operationCost(options.schema, document, operation, payload.variables ?? undefined), config.limits.maxQueryCost);
        if (tooCostly) return [tooCostly];
        // The operation being subscribed is already listed.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > limits.maxPerConnection) {
          return [
            new GraphQLError(`too many subscriptions on this connection: at most ${limits.maxPerConnection} (WS_MAX_SUBSCRIPTIONS)`, {
              extensions: { code: TOO_MANY_SUBSCRIPTIONS, limit: limits.maxPerConnection },
            }),
          ];
        }
        options.observer?.operationSubmitted(ctx, id, operation ?? null);
        return undefined;
      },
      // Per operation: the connection's context with its own DataLoaders and the connection's
      // limits, and for a subscription what decides which execution it shares.
      context(ctx, id, payload): SharedContext {
        const base = ctx.extra.context ?? createRequestContext(services);
        // Set by onConnect, which accepted the connection before any operation could run.
        const link = ctx.extra.link!;
        return {
          ...base,
          loaders: createLoaders(base.store, base.history),
          asOfScopes: new Map(),
          subscriber: link,
          share: { role: base.principal.role, query: payload.query, subscriber: { socket: ctx.extra.socket, wire: ctx.extra.request.socket, id, link } },
        };
      },
      subscribe: (args) => shared.subscribe(args),
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: format(result.errors) };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      // Metrics: active subscriptions and connections, query and mutation durations
      // (src/observability/websocket-observer.ts).
      onOperation(ctx, id, _payload, _args, result) {
        options.observer?.operationStarted(ctx, id, result);
        return undefined;
      },
      onComplete: (ctx, id) => options.observer?.operationEnded(ctx, id),
      onClose: (ctx) => options.observer?.closed(ctx),
    },
    wss,
  );
}

/** Open connections per principal on this instance, each counted until its socket closes. */
class PrincipalConnections {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Count `socket` for `holder`, or false when `holder` already has `limit` open. */
  open(holder: string, socket: WebSocket): boolean {
    const count = this.counts.get(holder) ?? 0;
    if (count >= this.limit) return false;
    this.counts.set(holder, count + 1);
    socket.once('close', () => {
      const left = (this.counts.get(holder) ?? 1) - 1;
      if (left > 0) this.counts.set(holder, left);
      else this.counts.delete(holder);
    });
    return true;
  }
}

/** Longest delay a Node timer takes (about 24.8 days); a later expiry re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Run `expire` when `expiresAt` (ms since the epoch) comes, unless the socket has closed by then. */
function closeAtExpiry(socket: WebSocket, expiresAt: number, expire: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      if (socket.readyState === socket.OPEN) expire();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  socket.once('close', () => clearTimeout(timer));
  arm();
}

function subscriberLink(socket: WebSocket, limits: Config['subscriptions'], logger: Logger, onDisconnect: () => void): SubscriberLink {
  return {
    maxQueuedEvents: limits.maxQueuedEvents,
    backpressure() {
      if (socket.readyState !== socket.OPEN) return 'the connection is closing';
      if (socket.bufferedAmount > limits.maxBufferedBytes) return `more than ${limits.maxBufferedBytes} bytes unsent (WS_MAX_BUFFERED_BYTES)`;
      return null;
    },
    disconnect(reason) {
      if (socket.readyState !== socket.OPEN) return;
      logger.warn({ reason }, 'disconnecting a slow subscriber');
      onDisconnect();
      socket.close(CLOSE_SLOW_CONSUMER, closeReason(`slow consumer: ${reason}`));
      const cut = setTimeout(() => socket.terminate(), SLOW_CONSUMER_CLOSE_GRACE_MS);
      cut.unref();
      socket.once('close', () => clearTimeout(cut));
    },
  };
}

/** A close reason fits in 123 bytes of UTF-8. */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}
