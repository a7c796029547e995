import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config';
import { ANONYMOUS, ROLES, type Principal, type Role } from './principal';

export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Turns an `Authorization: Bearer <token>` header into a Principal: a configured API key, or a
 * JWT (HS256 with AUTH_JWT_SECRET, or RS256 with keys from AUTH_JWKS_URL) whose role is in the
 * AUTH_JWT_ROLE_CLAIM claim. Without any auth configured, everyone is ANONYMOUS (admin).
 */
export class Authenticator {
  private readonly keys: { hash: Buffer; principal: Principal }[];
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  private readonly secret?: Uint8Array;

  constructor(private readonly config: AuthConfig) {
    this.keys = config.apiKeys.map(({ key, role }) => ({
      hash: sha256(key),
      principal: { id: `key:${sha256(key).toString('hex').slice(0, 8)}`, role, method: 'api-key' },
    }));
    if (config.jwtSecret) this.secret = new TextEncoder().encode(config.jwtSecret);
    if (config.jwksUrl) this.jwks = createRemoteJWKSet(new URL(config.jwksUrl));
  }

  get enabled(): boolean {
    return this.keys.length > 0 || this.secret !== undefined || this.jwks !== undefined;
  }

  /** The caller behind an Authorization header value (or a bare token); throws AuthError. */
  async authenticate(authorization: string | undefined | null): Promise<Principal> {
    if (!this.enabled) return ANONYMOUS;
    if (!authorization) throw new AuthError('UNAUTHENTICATED', 'missing credentials: send Authorization: Bearer <API key or JWT>');
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    if (!token) throw new AuthError('UNAUTHENTICATED', 'empty bearer token');
    const byKey = this.apiKey(token);
    if (byKey) return byKey;
    if (token.split('.').length === 3 && (this.secret || this.jwks)) return this.jwt(token);
    throw new AuthError('UNAUTHENTICATED', 'invalid credentials');
  }

  private apiKey(token: string): Principal | null {
    const hash = sha256(token);
    // Compare fixed-length hashes in constant time, so timing tells nothing about keys.
    return this.keys.find((k) => timingSafeEqual(k.hash, hash))?.principal ?? null;
  }

  private async jwt(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = { issuer: this.config.jwtIssuer, audience: this.config.jwtAudience };
      payload = this.secret
        ? (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload
        : (await jwtVerify(token, this.jwks!, { ...options, algorithms: ['RS256'] })).payload;
    } catch (err) {
      const reason = (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'token expired' : 'invalid token';
      throw new AuthError('UNAUTHENTICATED', reason);
    }
    const role = claim(payload, this.config.roleClaim);
    const found = (Array.isArray(role) ? role : [role]).map(String).filter((r): r is Role => ROLES.includes(r as Role));
    if (found.length === 0) throw new AuthError('FORBIDDEN', `token has no role (${ROLES.join(', ')}) in claim "${this.config.roleClaim}"`);
    const best = found.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
    return { id: String(payload.sub ?? 'jwt'), role: best, method: 'jwt' };
  }
}

/** A claim by dotted path, e.g. `realm_access.roles`. */
function claim(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((obj, key) => (obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined), payload);
}
