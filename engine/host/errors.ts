// The one error-code table of the HostApi: every failure of the host service is a HostFailure with one
// of these codes. HostResult errors carry the code; `fanout serve` answers with its HTTP status.
import type { HostError } from './types.ts';

export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  /** A save with `overwrite: false`, a new folder or a rename onto a name that is taken. */
  EXISTS: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_WORKFLOW: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type HostErrorCode = keyof typeof HTTP_STATUS;

export class HostFailure extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly problems?: HostError['problems'],
  ) {
    super(message);
    this.name = 'HostFailure';
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toHostError(): HostError {
    return { code: this.code, message: this.message, ...(this.problems ? { problems: this.problems } : {}) };
  }
}

/** Errno codes a request can cause (bad or vanished paths, permissions) and what they mean to a client. */
const ERRNO: Record<string, HostErrorCode> = {
  ENOENT: 'NOT_FOUND',
  EACCES: 'FORBIDDEN',
  EPERM: 'FORBIDDEN',
  EROFS: 'FORBIDDEN',
  EISDIR: 'BAD_REQUEST',
  ENOTDIR: 'BAD_REQUEST',
  ENAMETOOLONG: 'BAD_REQUEST',
  ELOOP: 'BAD_REQUEST',
  EINVAL: 'BAD_REQUEST',
  EEXIST: 'EXISTS',
  ENOTEMPTY: 'CONFLICT',
};

/**
 * Any thrown value as a HostFailure. Errno errors keep only their message (it names the path); anything
 * else is INTERNAL, and `internal` says so to the caller so a transport can log it.
 */
export function toHostFailure(error: unknown): { failure: HostFailure; internal: boolean } {
  if (error instanceof HostFailure) return { failure: error, internal: false };
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const mapped = typeof code === 'string' ? ERRNO[code] : undefined;
  if (mapped) return { failure: new HostFailure(mapped, message), internal: false };
  return { failure: new HostFailure('INTERNAL', message), internal: true };
}
