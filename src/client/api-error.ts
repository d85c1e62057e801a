/**
 * An HTTP error answer from the engine: `status` drives client logic (404 → pull, fall through
 * to the next object type), `message` is what the user sees after "Error response from daemon: ".
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** The daemon socket could not be reached at all (no socket, connection refused). */
export class ConnectError extends Error {
  readonly host: string;

  constructor(host: string, cause: unknown) {
    super(`Cannot connect to the skiff daemon at ${host}. Is the skiff daemon running?`, { cause });
    this.name = 'ConnectError';
    this.host = host;
  }
}

/**
 * Turns an error body into the message docker shows. Like the Go client, only a Content-Type of
 * exactly application/json is decoded; anything else is shown as text.
 */
export function errorMessageOf(status: number, contentType: string | undefined, body: string): string {
  if (contentType === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
        const m = (parsed as { message: unknown }).message;
        if (typeof m === 'string') return m;
      }
    } catch {
      // fall through to the raw text, as the Go client does for undecodable bodies
    }
  }
  const text = body.trim();
  if (text === '') {
    return `request returned ${statusText(status)} for API route and version, check if the server supports the requested API version`;
  }
  return text;
}

function statusText(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    409: 'Conflict', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
  };
  return `${names[status] ?? String(status)}`;
}
