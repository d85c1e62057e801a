/**
 * The one error class domain code throws. `kind` decides the HTTP status (see api/status-of.ts);
 * `message` is what clients see, so it copies Docker's wording where Docker has one.
 */
export type ErrorKind =
  | 'NotFound'
  | 'InvalidParameter'
  | 'Conflict'
  | 'NotModified'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unavailable'
  | 'NotImplemented'
  | 'System';

export class EngineError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.kind = kind;
  }
}

export const notFound = (message: string, cause?: unknown) => new EngineError('NotFound', message, { cause });
export const invalidParameter = (message: string, cause?: unknown) =>
  new EngineError('InvalidParameter', message, { cause });
export const conflict = (message: string, cause?: unknown) => new EngineError('Conflict', message, { cause });
export const notModified = (message = '') => new EngineError('NotModified', message);
export const systemError = (message: string, cause?: unknown) => new EngineError('System', message, { cause });

export function isEngineError(err: unknown, kind?: ErrorKind): err is EngineError {
  return err instanceof EngineError && (kind === undefined || err.kind === kind);
}

/** Node's errno code of a failed fs/net call, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}
