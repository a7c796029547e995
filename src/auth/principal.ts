/** Who is calling, and what they may do. */

import { ROLES, type Role } from '../config';

export { ROLES, type Role };

export interface Principal {
  /**
   * Stable and safe to log, and the audit trail's actor: `key:<first 8 hex of the key's SHA-256>`,
   * `jwt:<sub>` for a JWT (the prefix keeps a subject from passing for a key or `anonymous`), or
   * `anonymous`.
   */
  id: string;
  role: Role;
  method: 'api-key' | 'jwt' | 'none';
  /** When the credentials stop being valid (ms since the epoch): a JWT's `exp`. WebSocket connections are closed then. */
  expiresAt?: number;
}

/** With no auth configured (local quick start) every caller acts as admin. */
export const ANONYMOUS: Principal = { id: 'anonymous', role: 'admin', method: 'none' };

/** viewer: read and subscribe; operator: also report state and run scenarios; admin: also change topology. */
export function hasRole(principal: Principal, needed: Role): boolean {
  return ROLES.indexOf(principal.role) >= ROLES.indexOf(needed);
}
