import type { TestServer } from './test-server';

/** API keys, an HS256 secret and an HTTP helper shared by the auth suites. */

export const KEYS = { viewer: 'viewer-key-0123456789abcdef', operator: 'operator-key-0123456789abcdef', admin: 'admin-key-0123456789abcdef' };
export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
export const AUTH_ENV = {
  AUTH_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${key}:${role}`).join(','),
  AUTH_JWT_SECRET: SECRET,
};

/** POST to /graphql (or `path`) with an optional bearer token; the body parsed when it is JSON. */
export async function post(s: TestServer, body: unknown, token?: string, path = '/graphql') {
  const res = await fetch(s.url.replace(/\/graphql$/, path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('application/json');
  return { status: res.status, body: json ? JSON.parse(text) : text };
}

export const gql = (s: TestServer, query: string, token?: string, variables?: object) => post(s, { query, variables }, token);
