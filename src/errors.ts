/**
 * Domain errors thrown below the GraphQL layer (model, graph store, import).
 * The GraphQL layer maps each to a GraphQLError with the matching `extensions.code`;
 * anything else is unexpected and gets masked.
 */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE' | 'TIMEOUT';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable detail, e.g. `{ index: 3, field: 'kind' }` for a bad batch record. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError('BAD_USER_INPUT', message, details);

export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DomainError('NOT_FOUND', message, details);

export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new DomainError('UNAVAILABLE', message, details);
