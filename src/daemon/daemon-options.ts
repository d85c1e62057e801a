import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { invalidParameter } from '../base/engine-error.js';
import type { LogLevel } from '../base/log.js';
import { parseRemapSpec } from '../container/id-mapping.js';

/** A TCP listener; only ever with TLS client certificates (--tlsverify). */
export interface TcpListener {
  host: string;
  port: number;
  tls: { ca: string; cert: string; key: string };
}

export interface DaemonOptions {
  dataRoot: string;
  execRoot: string;
  socketPath: string;
  runtimePath: string;
  logLevel: LogLevel;
  /** -G/--group: the socket's group (0660 root:<group>); absent means root only. */
  socketGroup?: { name: string; gid: number };
  /** -H tcp://host:port listeners, each requiring client certificates. */
  tcp?: TcpListener[];
  /** --userns-remap: "default" (the skiffremap user), "user[:group]" or "uid:gid"; resolved at start. */
  usernsRemap?: string;
  /** --seccomp-profile: a Docker-format profile used instead of the default one. */
  seccompProfile?: string;
  /** --insecure-registry: registries reached over plain HTTP or unverified TLS. */
  insecureRegistries: string[];
  /** --registry-certs-dir: per-registry CA certificates, <dir>/<host:port>/*.crt. */
  registryCertsDir: string;
}

export const daemonUsage = `Usage:  skiffd [OPTIONS]

A Docker-compatible container engine daemon

Options:
      --data-root string        Root directory of persistent state (default "/var/lib/skiff")
      --exec-root string        Root directory for execution state files (default "/run/skiff")
  -G, --group string            Group for the unix socket (default: root only)
  -H, --host list               Daemon socket(s) to listen on (default "unix:///run/skiff/skiff.sock")
  -l, --log-level string        Set the logging level ("debug"|"info"|"warn"|"error") (default "info")
      --runtime string          Path of the OCI runtime (default: runc on PATH)
      --seccomp-profile string  Path to the default seccomp profile (default "/usr/share/containers/seccomp.json")
      --insecure-registry list  Enable insecure registry communication
      --registry-certs-dir string  Per-registry CA certificates, <dir>/<host:port>/*.crt (default "/etc/skiff/certs.d")
      --tlscacert string        Trust certs signed only by this CA
      --tlscert string          Path to TLS certificate file
      --tlskey string           Path to TLS key file
      --tlsverify               Use TLS and verify the remote (required for tcp:// hosts)
      --userns-remap string     User/Group setting for user namespaces ("default", "user[:group]" or "uid:gid")
  -h, --help                    Print usage
`;

/** The docker group's warning, as Docker's documentation gives it, for the log at start-up. */
export const socketGroupWarning = (group: string) =>
  `members of the "${group}" group can use the API socket: that grants root-level privileges on this host`;

/** /etc/group's gid for a name (or a number as given); undefined when there is no such group. */
export function lookupGroup(name: string, groupFile = '/etc/group'): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

function parseTcp(host: string, tls: { verify: boolean; ca?: string; cert?: string; key?: string }): TcpListener {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(host);
  if (!m) throw invalidParameter(`invalid host ${host}: expected tcp://address:port`);
  const port = m[2] === undefined ? 2376 : Number(m[2]);
  if (port < 1 || port > 65535) throw invalidParameter(`invalid port in ${host}`);
  // The API is root on this host: a plain TCP listener hands it to anyone who can reach the port.
  if (!tls.verify || !tls.ca || !tls.cert || !tls.key) {
    throw invalidParameter(
      `refusing to listen on ${host} without TLS client verification: binding to a TCP address without --tlsverify ` +
        'is insecure and gives root access on this machine to everyone who has access to your network ' +
        '(use --tlsverify with --tlscacert, --tlscert and --tlskey, or a unix:// socket)',
    );
  }
  for (const f of [tls.ca, tls.cert, tls.key]) {
    if (!existsSync(f)) throw invalidParameter(`could not read TLS file ${f}: no such file or directory`);
  }
  return { host: (m[1] || '0.0.0.0').replace(/^\[|\]$/g, ''), port, tls: { ca: tls.ca, cert: tls.cert, key: tls.key } };
}

/** dockerd's flag names; `--host` takes unix:// sockets and tcp:// only with --tlsverify. */
export function parseDaemonOptions(argv: string[]): DaemonOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-root': { type: 'string', default: '/var/lib/skiff' },
      'exec-root': { type: 'string', default: '/run/skiff' },
      group: { type: 'string', short: 'G' },
      host: { type: 'string', short: 'H', multiple: true },
      'log-level': { type: 'string', short: 'l', default: 'info' },
      runtime: { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true },
      'registry-certs-dir': { type: 'string' },
      'seccomp-profile': { type: 'string' },
      tlsverify: { type: 'boolean' },
      tlscacert: { type: 'string' },
      tlscert: { type: 'string' },
      tlskey: { type: 'string' },
      'userns-remap': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const execRoot = values['exec-root'] ?? '/run/skiff';
  const hosts = values.host?.length ? values.host : [`unix://${execRoot}/skiff.sock`];
  const tls = { verify: values.tlsverify === true, ca: values.tlscacert, cert: values.tlscert, key: values.tlskey };
  let socketPath: string | undefined;
  const tcp: TcpListener[] = [];
  for (const host of hosts) {
    if (host.startsWith('unix://')) {
      if (socketPath !== undefined) throw invalidParameter(`only one unix:// socket is served (got ${socketPath} and ${host})`);
      socketPath = host.slice('unix://'.length);
    } else if (host.startsWith('tcp://')) tcp.push(parseTcp(host, tls));
    else throw invalidParameter(`unsupported host ${host}: only unix:// and tcp:// (with --tlsverify) are served`);
  }
  const level = values['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw invalidParameter(`invalid log level: ${level}`);
  const opts: DaemonOptions = {
    dataRoot: values['data-root'] ?? '/var/lib/skiff',
    execRoot,
    socketPath: socketPath ?? `${execRoot}/skiff.sock`,
    runtimePath: values.runtime ?? '',
    logLevel: level as LogLevel,
    insecureRegistries: values['insecure-registry'] ?? [],
    registryCertsDir: values['registry-certs-dir'] ?? '/etc/skiff/certs.d',
  };
  if (values.group !== undefined) {
    const gid = lookupGroup(values.group);
    if (gid === undefined) throw invalidParameter(`group ${values.group} not found`);
    opts.socketGroup = { name: values.group, gid };
  }
  if (tcp.length) opts.tcp = tcp;
  if (values['userns-remap']) {
    parseRemapSpec(values['userns-remap']); // a malformed value fails here, the lookups at start
    opts.usernsRemap = values['userns-remap'];
  }
  if (values['seccomp-profile']) opts.seccompProfile = values['seccomp-profile'];
  return opts;
}
