/**
 * The OCI distribution error envelope: `{"errors":[{"code","message","detail"}]}`. Codes and the
 * statuses they travel with follow distribution (Docker Registry), whose wording the docker CLI
 * prints verbatim ("denied: requested access to the resource is denied").
 */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'PAGINATION_NUMBER_INVALID';

const TABLE = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNSUPPORTED: [405, 'The operation is unsupported.'],
  TOOMANYREQUESTS: [429, 'too many requests'],
  // Not in the OCI table; distribution answers a bad `n` with it.
  PAGINATION_NUMBER_INVALID: [400, 'invalid number of results requested'],
} as const satisfies Record<RegistryErrorCode, readonly [number, string]>;

export interface RegistryErrorOptions {
  /** Overrides the code's usual status, e.g. 416 for an out-of-order chunk, 413 for a huge manifest. */
  status?: number;
  detail?: unknown;
  headers?: Record<string, string>;
  message?: string;
}

export class RegistryError extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: RegistryErrorCode,
    opts: RegistryErrorOptions = {},
  ) {
    super(opts.message ?? TABLE[code][1]);
    this.name = 'RegistryError';
    this.status = opts.status ?? TABLE[code][0];
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
  }
}

export const statusOfCode = (code: RegistryErrorCode): number => TABLE[code][0];

/** The JSON body for one or more errors; `detail` is omitted when there is none, as distribution does. */
export function errorEnvelope(errors: readonly RegistryError[]): string {
  return JSON.stringify({
    errors: errors.map((e) => (e.detail === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, detail: e.detail })),
  });
}
