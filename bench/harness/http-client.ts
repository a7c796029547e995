import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  status: number;
  body: string;
  /** Request start to the last byte of the response body (parsing excluded). */
  ms: number;
}

/**
 * A small keep-alive HTTP client for loopback benchmarks. It stops the clock when the whole
 * response body has arrived, so JSON parsing on the client side is not counted as server time.
 */
export class HttpClient {
  private readonly agent: http.Agent;

  constructor(maxSockets = 64) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  async post(url: string, body: string | Buffer, contentType = 'application/json'): Promise<HttpResult> {
    try {
      return await this.postOnce(url, body, contentType);
    } catch (err) {
      // A kept-alive socket the server closed while it was idle: the request never reached the
      // server, so send it again once on a fresh socket (the pattern Node's documentation gives).
      if ((err as { reused?: boolean }).reused) return this.postOnce(url, body, contentType);
      throw err;
    }
  }

  private postOnce(url: string, body: string | Buffer, contentType: string): Promise<HttpResult> {
    const target = new URL(url);
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    return new Promise((resolve, reject) => {
      let responded = false;
      const started = performance.now();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': contentType, 'content-length': payload.length, accept: 'application/json' },
        },
        (res) => {
          responded = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = performance.now() - started;
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!responded && req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) Object.assign(err, { reused: true });
        reject(err);
      });
      req.end(payload);
    });
  }

  async get(url: string): Promise<HttpResult> {
    const started = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    return { status: res.status, body, ms: performance.now() - started };
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface GraphQLReply<T> {
  data: T;
  ms: number;
  bytes: number;
}

/** POST a GraphQL operation; throws on HTTP or GraphQL errors so a broken benchmark never reports numbers. */
export async function graphql<T = any>(client: HttpClient, url: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLReply<T>> {
  const res = await client.post(url, JSON.stringify({ query, variables }));
  let parsed: { data?: T; errors?: { message: string; extensions?: unknown }[] };
  try {
    parsed = JSON.parse(res.body);
  } catch {
    throw new Error(`HTTP ${res.status} from ${url}: ${res.body.slice(0, 300)}`);
  }
  if (res.status !== 200 || parsed.errors?.length) {
    throw new Error(`GraphQL error (HTTP ${res.status}) from ${url}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 500)}`);
  }
  return { data: parsed.data as T, ms: res.ms, bytes: res.body.length };
}
