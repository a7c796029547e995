import type { RequestHandler } from 'express';
import type { AuditActor, AuditTrail, RefusalCode } from './audit-trail';

/** What recording the refusals of a route uses. */
export interface RefusalAuditDeps {
  audit: Pick<AuditTrail, 'recordRefusal'>;
}

const REFUSALS: Record<number, RefusalCode> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN' };

/**
 * Express middleware for a non-GraphQL route, placed before its role guard (`requireRole` in
 * src/server/security.ts): once the route has answered 401 or 403, records the refusal as
 * `operation` in the audit trail, with the caller the guard left in `res.locals.refusedActor`
 * (anonymous when the credentials named no one).
 */
export function auditRefusals(deps: RefusalAuditDeps, operation: string): RequestHandler {
  return (_req, res, next) => {
    // `close` also fires when the client hangs up right after the refusal was sent.
    res.once('close', () => {
      const code = res.headersSent ? REFUSALS[res.statusCode] : undefined;
      if (!code) return;
      void deps.audit.recordRefusal((res.locals.refusedActor as AuditActor | null | undefined) ?? null, operation, code);
    });
    next();
  };
}
