import { parseArgs } from 'node:util';
import { invalidParameter } from '../base/engine-error.js';
import type { LogLevel } from '../base/log.js';

export interface DaemonOptions {
  dataRoot: string;
  execRoot: string;
  socketPath: string;
  runtimePath: string;
  logLevel: LogLevel;
}

export const daemonUsage = `Usage:  skiffd [OPTIONS]

A Docker-compatible container engine daemon

Options:
      --data-root string   Root directory of persistent state (default "/var/lib/skiff")
      --exec-root string   Root directory for execution state files (default "/run/skiff")
  -H, --host string        Daemon socket to listen on (default "unix:///run/skiff/skiff.sock")
  -l, --log-level string   Set the logging level ("debug"|"info"|"warn"|"error") (default "info")
      --runtime string     Path of the OCI runtime (default: runc on PATH)
  -h, --help               Print usage
`;

/** dockerd's flag names; `--host` takes unix:// only, other schemes are refused. */
export function parseDaemonOptions(argv: string[]): DaemonOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-root': { type: 'string', default: '/var/lib/skiff' },
      'exec-root': { type: 'string', default: '/run/skiff' },
      host: { type: 'string', short: 'H' },
      'log-level': { type: 'string', short: 'l', default: 'info' },
      runtime: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const execRoot = values['exec-root'] ?? '/run/skiff';
  const host = values.host ?? `unix://${execRoot}/skiff.sock`;
  if (!host.startsWith('unix://')) throw invalidParameter(`unsupported host ${host}: only unix:// sockets are served`);
  const level = values['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw invalidParameter(`invalid log level: ${level}`);
  return {
    dataRoot: values['data-root'] ?? '/var/lib/skiff',
    execRoot,
    socketPath: host.slice('unix://'.length),
    runtimePath: values.runtime ?? '',
    logLevel: level as LogLevel,
  };
}
