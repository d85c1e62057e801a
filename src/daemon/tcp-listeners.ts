import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Logger } from '../base/log.js';
import { createApiServer } from '../api/http-server.js';
import type { Router } from '../api/router.js';
import type { TcpListener } from './daemon-options.js';

/**
 * One HTTPS server per `-H tcp://` listener. Only mutual TLS is served: a client must present a
 * certificate signed by the configured CA (`--tlsverify`); daemon-options refuses TCP without it.
 */
export async function listenTcpTls(router: Router, listeners: readonly TcpListener[], log: Logger): Promise<Server[]> {
  const servers: Server[] = [];
  for (const l of listeners) {
    const tls = { ca: readFileSync(l.tls.ca), cert: readFileSync(l.tls.cert), key: readFileSync(l.tls.key) };
    const server = createApiServer(router, log, tls);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(l.port, l.host, () => resolve());
    });
    log.info('API listening', { tcp: `${l.host}:${l.port}`, tls: 'client certificates required' });
    servers.push(server);
  }
  return servers;
}
