import type { JsonMessage } from '../client/json-stream.js';

/**
 * One progress message as docker prints it without a terminal: "id: status", plain "status",
 * or a build's stream text; progress-bar updates are dropped, as jsonmessage does off a TTY.
 */
export function displayMessage(m: JsonMessage): string {
  if (m.errorDetail !== undefined) return '';
  const d = m.progressDetail;
  if (d !== undefined && ((d.current ?? 0) > 0 || (d.total ?? 0) > 0)) return '';
  if (m.stream !== undefined) return m.stream;
  if (m.status === undefined) return '';
  return m.id !== undefined && m.id !== '' ? `${m.id}: ${m.status}\n` : `${m.status}\n`;
}
