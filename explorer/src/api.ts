/**
 * The explorer's GraphQL clients: HTTP (fetch, JSON, the API's CSRF rules) and WebSocket
 * (graphql-ws, for subscriptions), both carrying the key or token of this tab (auth.ts). A
 * refusal for missing or bad credentials asks for a key and retries; other errors are thrown
 * with the server's message and code.
 */
import { createClient, type Client } from 'graphql-ws';
import type { Credentials } from './auth';

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly errors: GraphQLErrorShape[] = [],
  ) {
    super(message);
  }
}

/** What to say about an error, in words a user can act on. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'FORBIDDEN') return `${err.message} (your key or token has a role that may not do this)`;
    return err.code ? `${err.message} [${err.code}]` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export interface ApiOptions {
  /** e.g. /graphql */
  path: string;
  credentials: Credentials;
  /** Called when the server refused the credentials; resolves once the user gave new ones. */
  signIn: (reason: string) => Promise<void>;
}

export class Api {
  constructor(private readonly options: ApiOptions) {}

  async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    for (;;) {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      const token = this.options.credentials.token();
      if (token) headers.authorization = `Bearer ${token}`;
      let res: Response;
      try {
        res = await fetch(this.options.path, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      } catch (err) {
        throw new ApiError(`the API cannot be reached (${err instanceof Error ? err.message : String(err)})`, 'UNREACHABLE');
      }
      let body: { data?: T; errors?: GraphQLErrorShape[] };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new ApiError(`the API answered HTTP ${res.status} without a GraphQL response`, `HTTP_${res.status}`);
      }
      const errors = body.errors ?? [];
      const refused = errors.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
      if (res.status === 401 || refused) {
        await this.options.signIn(token ? `The API refused this key or token: ${refused?.message ?? 'unauthenticated'}` : 'The API needs an API key or token.');
        continue;
      }
      if (errors.length) throw new ApiError(errors.map((e) => e.message).join('; '), errors[0].extensions?.code, errors);
      if (!body.data) throw new ApiError(`the API answered HTTP ${res.status} without data`, `HTTP_${res.status}`);
      return body.data;
    }
  }
}

export interface Sink<T> {
  next(value: T): void;
  error?(err: ApiError): void;
  complete?(): void;
}

interface Active {
  query: string;
  variables: Record<string, unknown>;
  sink: Sink<unknown>;
  stop?: () => void;
}

export type LiveState = 'connecting' | 'connected' | 'closed';

/**
 * Subscriptions over one graphql-ws connection. The token goes in `connection_init` (browsers
 * cannot set headers on a WebSocket); when the server closes with 4401 the user is asked for a
 * key and every subscription is started again on a new connection.
 */
export class Live {
  private client: Client | undefined;
  private readonly active = new Set<Active>();
  private signingIn = false;

  constructor(
    private readonly options: ApiOptions & { onState: (state: LiveState, detail?: string) => void },
  ) {}

  private url(): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}${this.options.path}`;
  }

  private connect(): Client {
    if (this.client) return this.client;
    const { credentials, onState } = this.options;
    this.client = createClient({
      url: this.url(),
      lazy: true,
      connectionParams: () => {
        const token = credentials.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: Infinity,
      // Refused credentials are not retried: the user is asked instead (below).
      shouldRetry: (e) => !isCloseEvent(e) || (e.code !== 4401 && e.code !== 4403),
      on: {
        connecting: () => onState('connecting'),
        connected: () => onState('connected'),
        closed: (e) => {
          onState('closed', isCloseEvent(e) ? `${e.code}${e.reason ? ` ${e.reason}` : ''}` : undefined);
          if (isCloseEvent(e) && e.code === 4401) void this.reauthenticate(e.reason);
        },
      },
    });
    return this.client;
  }

  private async reauthenticate(reason: string): Promise<void> {
    if (this.signingIn) return;
    this.signingIn = true;
    try {
      await this.options.signIn(`The API refused this key or token for live updates: ${reason || 'unauthenticated'}`);
      this.restart();
    } finally {
      this.signingIn = false;
    }
  }

  /** A new connection (new credentials), with every active subscription started again. */
  restart(): void {
    const old = this.client;
    this.client = undefined;
    for (const a of this.active) a.stop?.();
    void old?.dispose();
    for (const a of this.active) this.start(a);
  }

  private start(a: Active): void {
    a.stop = this.connect().subscribe(
      { query: a.query, variables: a.variables },
      {
        next: (value) => {
          if (value.errors?.length) {
            const e = value.errors[0] as GraphQLErrorShape;
            a.sink.error?.(new ApiError(e.message, e.extensions?.code));
          } else if (value.data) a.sink.next(value.data);
        },
        error: (err) => {
          // A refused connection is handled by reauthenticate(); the subscription restarts then.
          if (isCloseEvent(err) && (err.code === 4401 || err.code === 4403)) {
            if (err.code === 4403) a.sink.error?.(new ApiError(`live updates refused: ${err.reason}`, 'FORBIDDEN'));
            return;
          }
          const errors = Array.isArray(err) ? (err as GraphQLErrorShape[]) : [];
          const message = errors.length ? errors.map((e) => e.message).join('; ') : err instanceof Error ? err.message : 'subscription failed';
          a.sink.error?.(new ApiError(message, errors[0]?.extensions?.code, errors));
        },
        complete: () => a.sink.complete?.(),
      },
    );
  }

  /** Start a subscription; returns the function that stops it. */
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: Sink<T>): () => void {
    const a: Active = { query, variables, sink: sink as Sink<unknown> };
    this.active.add(a);
    this.start(a);
    return () => {
      this.active.delete(a);
      a.stop?.();
    };
  }
}

function isCloseEvent(e: unknown): e is CloseEvent {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'number' && 'reason' in e;
}
