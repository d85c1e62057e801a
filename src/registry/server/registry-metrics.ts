/**
 * Counters for `/metrics` in the Prometheus text exposition format: requests by method and
 * status, bytes in and out, errors by registry error code, and requests in flight.
 */
const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class RegistryMetrics {
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private bytesIn = 0;
  private bytesOut = 0;
  private durationSum = 0;
  private durationCount = 0;
  inFlight = 0;

  record(method: string, status: number, bytesIn: number, bytesOut: number, seconds: number, errorCode?: string): void {
    const key = `method="${esc(method)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
    this.durationSum += seconds;
    this.durationCount++;
    if (errorCode !== undefined) this.errors.set(errorCode, (this.errors.get(errorCode) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('skiff_registry_http_requests_total', 'counter', 'HTTP requests by method and status.');
    for (const [k, v] of [...this.requests].sort()) lines.push(`skiff_registry_http_requests_total{${k}} ${v}`);
    family('skiff_registry_http_request_bytes_total', 'counter', 'Bytes received, headers included.');
    lines.push(`skiff_registry_http_request_bytes_total ${this.bytesIn}`);
    family('skiff_registry_http_response_bytes_total', 'counter', 'Bytes sent, headers included.');
    lines.push(`skiff_registry_http_response_bytes_total ${this.bytesOut}`);
    family('skiff_registry_errors_total', 'counter', 'Error responses by registry error code.');
    for (const [k, v] of [...this.errors].sort()) lines.push(`skiff_registry_errors_total{code="${esc(k)}"} ${v}`);
    family('skiff_registry_http_request_duration_seconds', 'summary', 'Time to serve a request.');
    lines.push(`skiff_registry_http_request_duration_seconds_sum ${this.durationSum}`);
    lines.push(`skiff_registry_http_request_duration_seconds_count ${this.durationCount}`);
    family('skiff_registry_http_requests_in_flight', 'gauge', 'Requests being served.');
    lines.push(`skiff_registry_http_requests_in_flight ${this.inFlight}`);
    return lines.join('\n') + '\n';
  }
}
