import type { ErrorKind } from '../base/engine-error.js';

/** The one table from error kind to HTTP status; the compiler checks it covers every kind. */
export const statusOf = {
  NotFound: 404,
  InvalidParameter: 400,
  Conflict: 409,
  NotModified: 304,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  System: 500,
} as const satisfies Record<ErrorKind, number>;
