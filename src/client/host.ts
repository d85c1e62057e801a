/** Where the daemon listens: `-H/--host`, then SKIFF_HOST, then DOCKER_HOST, then the default socket. */
export const DEFAULT_HOST = 'unix:///run/skiff/skiff.sock';

export interface DaemonHost {
  /** The address as the user gave it, for messages. */
  readonly address: string;
  readonly socketPath: string;
}

export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv): DaemonHost {
  const raw = nonEmpty(flag) ?? nonEmpty(env['SKIFF_HOST']) ?? nonEmpty(env['DOCKER_HOST']) ?? DEFAULT_HOST;
  return parseHost(raw);
}

export function parseHost(raw: string): DaemonHost {
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length);
    if (socketPath === '') throw new Error(`invalid host: ${raw}: empty socket path`);
    return { address: raw, socketPath };
  }
  if (raw.startsWith('/')) return { address: `unix://${raw}`, socketPath: raw };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1];
  if (scheme !== undefined) {
    throw new Error(`unsupported host ${raw}: only unix:// sockets are supported (${scheme}:// is not)`);
  }
  throw new Error(`invalid host: ${raw}: expected unix:///path/to/socket`);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
