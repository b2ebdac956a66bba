/**
 * Domain errors, named once. Each carries a stable `code`, an HTTP status and a Vietnamese
 * message for end users; the mapping to HTTP lives in `functions/http/middleware.ts` and
 * the mapping to Step Functions `ErrorEquals` is the error `name`.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  readonly details?: Record<string, unknown>;
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
  get code(): string {
    return this.name;
  }
}

/** 400: the request or file is malformed; `details.issues` lists field-level problems. */
export class InvalidInput extends DomainError {
  readonly status = 400;
}
/** 401: no valid identity on the request. */
export class Unauthenticated extends DomainError {
  readonly status = 401;
}
/** 403: identity known, but its role or unit does not allow this. */
export class Forbidden extends DomainError {
  readonly status = 403;
}
/** 404: the target does not exist (or is outside the caller's scope and must not be revealed). */
export class NotFound extends DomainError {
  readonly status = 404;
}
/** 409: the action is not allowed in the current state; `details.allowedActions` says what is. */
export class ActionNotAllowed extends DomainError {
  readonly status = 409;
}
/** 409: optimistic-lock or uniqueness conflict; `details.current` may carry the current version. */
export class Conflict extends DomainError {
  readonly status = 409;
}
/** 500: misconfiguration detected at cold start. Never exposed with details. */
export class ConfigError extends DomainError {
  readonly status = 500;
}
/** The book's inventory record is incomplete; the workflow's first state fails with this name. */
export class InventoryInvalid extends DomainError {
  readonly status = 422;
}
/** A workflow task was invoked for a book that another execution now owns. */
export class StaleExecution extends DomainError {
  readonly status = 409;
}
/** The export package of an approved book cannot be built as it must be (a record without its scan, a scan whose bytes changed…). */
export class PackageInvalid extends DomainError {
  readonly status = 422;
}
