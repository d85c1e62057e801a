import { EngineClient } from '../client/engine-client.js';
import { resolveHost } from '../client/host.js';

export function createClient(hostFlag: string | undefined, env: NodeJS.ProcessEnv): EngineClient {
  const host = resolveHost(hostFlag, env);
  return new EngineClient({ socketPath: host.socketPath, address: host.address });
}
