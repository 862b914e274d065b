// Typed failures of the serve API: each becomes a HostResult error and an HTTP status.
import type { HostError } from '../host/types.ts';

const STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_WORKFLOW: 422,
  INTERNAL: 500,
};

export class HostFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly problems?: HostError['problems'],
  ) {
    super(message);
    this.name = 'HostFailure';
  }

  get status(): number {
    return STATUS[this.code] ?? 500;
  }

  toHostError(): HostError {
    return { code: this.code, message: this.message, ...(this.problems ? { problems: this.problems } : {}) };
  }
}
