import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config';
import { ANONYMOUS, ROLES, type Principal, type Role } from './principal';

export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    message: string,
    /** Who was refused, when the credentials were valid (a JWT without a known role): for the audit trail. */
    readonly actor?: string,
  ) {
    super(message);
  }
}

/** The principal id of a JWT subject: `jwt:<sub>`, so no subject can pass for an API key (`key:…`) or `anonymous`. */
export const jwtActor = (sub: string) => `jwt:${sub}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Turns an `Authorization: Bearer <token>` header into a Principal: a configured API key, or a
 * JWT (HS256 with AUTH_JWT_SECRET, or RS256 with keys from AUTH_JWKS_URL) whose role is in the
 * AUTH_JWT_ROLE_CLAIM claim. Without any auth configured, everyone is ANONYMOUS (admin).
 * A JWT needs a string `sub` (its principal is `jwt:<sub>`) and, unless AUTH_JWT_REQUIRE_EXP=0,
 * an `exp`.
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
      const options = {
        issuer: this.config.jwtIssuer,
        audience: this.config.jwtAudience,
        requiredClaims: this.config.jwtRequireExp ? ['exp'] : [],
      };
      payload = this.secret
        ? (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload
        : (await jwtVerify(token, this.jwks!, { ...options, algorithms: ['RS256'] })).payload;
    } catch (err) {
      throw new AuthError('UNAUTHENTICATED', refusalReason(err as { code?: string; claim?: string; reason?: string }));
    }
    // Only a non-empty string names the caller: anything else would be recorded as "[object Object]" or "42".
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
      throw new AuthError('UNAUTHENTICATED', 'invalid token: "sub" must be a non-empty string naming the caller');
    }
    const id = jwtActor(payload.sub);
    const role = claim(payload, this.config.roleClaim);
    const found = (Array.isArray(role) ? role : [role]).map(String).filter((r): r is Role => ROLES.includes(r as Role));
    if (found.length === 0) throw new AuthError('FORBIDDEN', `token has no role (${ROLES.join(', ')}) in claim "${this.config.roleClaim}"`, id);
    const best = found.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
    return { id, role: best, method: 'jwt', ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}) };
  }
}

/** What a client is told about a JWT jose refused: expiry and a missing `exp` by name, the rest as "invalid token". */
function refusalReason(err: { code?: string; claim?: string; reason?: string }): string {
  if (err.code === 'ERR_JWT_EXPIRED') return 'token expired';
  if (err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && err.claim === 'exp' && err.reason === 'missing') {
    return 'invalid token: an "exp" (expiry) claim is required';
  }
  return 'invalid token';
}

/** A claim by dotted path, e.g. `realm_access.roles`. */
function claim(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((obj, key) => (obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined), payload);
}
