import fs from 'node:fs';
import type { FlagSpec, Flags } from './flags.js';
import { parsePortSpecs, sortedRecord } from './ports.js';

/** Flags shared by `run` and `create`, with docker's names; unimplemented ones are refused. */
export const CONTAINER_FLAGS: FlagSpec[] = [
  { name: 'name', type: 'string' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'env-file', type: 'list' },
  { name: 'workdir', short: 'w', type: 'string' },
  { name: 'user', short: 'u', type: 'string' },
  { name: 'entrypoint', type: 'string' },
  { name: 'hostname', short: 'h', type: 'string' },
  { name: 'label', short: 'l', type: 'list' },
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'ulimit', type: 'list' },
  { name: 'cap-add', type: 'list' },
  { name: 'cap-drop', type: 'list' },
  { name: 'privileged', type: 'bool' },
  { name: 'read-only', type: 'bool' },
  { name: 'network', type: 'string' },
  { name: 'net', type: 'string' },
  { name: 'publish', short: 'p', type: 'list' },
  { name: 'expose', type: 'list' },
  { name: 'volume', short: 'v', type: 'list' },
  { name: 'restart', type: 'string' },
  { name: 'stop-signal', type: 'string' },
  { name: 'stop-timeout', type: 'int' },
  { name: 'platform', type: 'string' },
  { name: 'rm', type: 'bool' },
  { name: 'init', type: 'bool' },
  { name: 'userns', type: 'string' },
  { name: 'disable-content-trust', type: 'bool' },
  ...[
    'add-host', 'annotation', 'attach', 'blkio-weight', 'blkio-weight-device', 'cgroup-parent', 'cgroupns', 'cidfile',
    'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime', 'cpu-shares', 'cpus', 'cpuset-cpus', 'cpuset-mems',
    'device', 'device-cgroup-rule', 'device-read-bps', 'device-read-iops', 'device-write-bps', 'device-write-iops',
    'dns', 'dns-option', 'dns-search', 'domainname', 'gpus', 'group-add', 'health-cmd', 'health-interval',
    'health-retries', 'health-start-interval', 'health-start-period', 'health-timeout', 'ip', 'ip6', 'ipc',
    'isolation', 'kernel-memory', 'label-file', 'link', 'link-local-ip', 'log-driver', 'log-opt', 'mac-address',
    'memory', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'mount', 'network-alias', 'no-healthcheck',
    'oom-kill-disable', 'oom-score-adj', 'pid', 'pids-limit', 'publish-all', 'pull', 'quiet', 'runtime',
    'security-opt', 'shm-size', 'storage-opt', 'sysctl', 'tmpfs', 'uts', 'volume-driver', 'volumes-from',
    'use-api-socket',
  ].map((name): FlagSpec => ({
    name,
    type: ['no-healthcheck', 'oom-kill-disable', 'publish-all', 'quiet', 'use-api-socket'].includes(name) ? 'bool' : 'string',
    unsupported: true,
    ...(name === 'attach' ? { short: 'a' } : name === 'memory' ? { short: 'm' } : name === 'publish-all' ? { short: 'P' } : name === 'quiet' ? { short: 'q' } : {}),
  })),
];

export interface CreateRequest {
  name: string | undefined;
  platform: string | undefined;
  image: string;
  body: Record<string, unknown>;
}

export interface CreateMode {
  /** run without -d: attach stdout/stderr (and stdin with -i). */
  attach: boolean;
}

/** Reads KEY=VALUE lines the way docker's --env-file does. */
export function readEnvFile(text: string, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq === 0) throw new Error(`invalid environment variable: ${line}`);
    if (eq > 0) out.push(line);
    else {
      const v = env[line.trimEnd()];
      if (v !== undefined) out.push(`${line.trimEnd()}=${v}`);
    }
  }
  return out;
}

function envEntries(flags: Flags, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const file of flags.list('env-file')) out.push(...readEnvFile(fs.readFileSync(file, 'utf8'), env));
  for (const e of flags.list('env')) {
    if (e.includes('=')) {
      if (e.startsWith('=')) throw new Error(`invalid environment variable: ${e}`);
      out.push(e);
    } else if (env[e] !== undefined) out.push(`${e}=${env[e] ?? ''}`);
  }
  return out;
}

export function restartPolicy(spec: string): { Name: string; MaximumRetryCount: number } {
  if (spec === '') return { Name: 'no', MaximumRetryCount: 0 };
  const [name = '', count, extra] = spec.split(':');
  if (extra !== undefined) throw new Error(`invalid restart policy format: maximum retry count must be an integer`);
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name)) {
    throw new Error(`invalid restart policy format: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (count !== undefined) {
    if (!/^\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    if (name !== 'on-failure') throw new Error(`invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
  }
  return { Name: name, MaximumRetryCount: count === undefined ? 0 : Number(count) };
}

function ulimit(spec: string): { Name: string; Hard: number; Soft: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(spec);
  if (m === null) throw new Error(`invalid argument "${spec}" for "--ulimit" flag: invalid ulimit argument: ${spec}`);
  const soft = Number(m[2]);
  const hard = m[3] === undefined ? soft : Number(m[3]);
  if (soft > hard) throw new Error(`invalid argument "${spec}" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: m[1] ?? '', Hard: hard, Soft: soft };
}

function normalizeCap(c: string): string {
  const u = c.toUpperCase();
  return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
}

function labels(list: string[]): Record<string, string> {
  const m = new Map<string, string>();
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq < 0) m.set(l, '');
    else m.set(l.slice(0, eq), l.slice(eq + 1));
  }
  return sortedRecord(m);
}

const ZERO_ENDPOINT = {
  IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
  EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0, DNSNames: null,
};

/**
 * Builds the POST /containers/create body from run/create flags with the docker CLI's field
 * order and zero values, so the daemon sees exactly what `docker run` sends.
 */
export function buildCreateRequest(flags: Flags, env: NodeJS.ProcessEnv, mode: CreateMode): CreateRequest {
  const [image = '', ...cmd] = flags.args;
  if (flags.bool('rm') && flags.string('restart') !== '' && flags.string('restart') !== 'no') {
    throw new Error('conflicting options: cannot specify both --restart and --rm');
  }
  const ports = parsePortSpecs(flags.list('publish'), flags.list('expose'));
  const volumes = new Map<string, Record<string, never>>();
  const binds: string[] = [];
  for (const v of flags.list('volume')) {
    const parts = v.split(':');
    if (parts.length === 1) {
      if (!v.startsWith('/')) throw new Error(`invalid volume specification: '${v}': invalid mount config for type "volume": invalid mount path: '${v}' mount path must be absolute`);
      volumes.set(v, {});
    } else if (parts.length <= 3) {
      const dst = parts[1] ?? '';
      if (!dst.startsWith('/')) throw new Error(`invalid volume specification: '${v}': invalid mount config for type "bind": invalid mount path: '${dst}' mount path must be absolute`);
      binds.push(v);
    } else throw new Error(`invalid volume specification: '${v}'`);
  }
  const interactive = flags.bool('interactive');
  const tty = flags.bool('tty');
  const env2 = envEntries(flags, env);
  const entrypoint = flags.has('entrypoint') ? [flags.string('entrypoint')] : null;
  const networkMode = flags.string('network', flags.string('net', 'default'));
  const stopSignal = flags.has('stop-signal') ? { StopSignal: flags.string('stop-signal') } : {};
  const stopTimeout = flags.has('stop-timeout') ? { StopTimeout: flags.int('stop-timeout') } : {};
  const body: Record<string, unknown> = {
    Hostname: flags.string('hostname'),
    Domainname: '',
    User: flags.string('user'),
    AttachStdin: mode.attach && interactive,
    AttachStdout: mode.attach,
    AttachStderr: mode.attach,
    ...(ports.exposed.size > 0 ? { ExposedPorts: sortedRecord(ports.exposed) } : {}),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: mode.attach && interactive,
    Env: env2.length > 0 ? env2 : null,
    Cmd: cmd.length > 0 ? cmd : null,
    Image: image,
    Volumes: sortedRecord(volumes),
    WorkingDir: flags.string('workdir'),
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: labels(flags.list('label')),
    ...stopSignal,
    ...stopTimeout,
    HostConfig: {
      Binds: binds.length > 0 ? binds : null,
      ContainerIDFile: '',
      LogConfig: { Type: '', Config: {} },
      NetworkMode: networkMode,
      PortBindings: sortedRecord(ports.bindings),
      RestartPolicy: restartPolicy(flags.string('restart')),
      AutoRemove: flags.bool('rm'),
      VolumeDriver: '',
      VolumesFrom: null,
      ConsoleSize: [0, 0],
      CapAdd: flags.list('cap-add').length > 0 ? flags.list('cap-add').map(normalizeCap) : null,
      CapDrop: flags.list('cap-drop').length > 0 ? flags.list('cap-drop').map(normalizeCap) : null,
      CgroupnsMode: '',
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: null,
      GroupAdd: null,
      IpcMode: '',
      Cgroup: '',
      Links: null,
      OomScoreAdj: 0,
      PidMode: '',
      Privileged: flags.bool('privileged'),
      PublishAllPorts: false,
      ReadonlyRootfs: flags.bool('read-only'),
      SecurityOpt: null,
      UTSMode: '',
      UsernsMode: flags.string('userns'),
      ShmSize: 0,
      Isolation: '',
      CpuShares: 0,
      Memory: 0,
      NanoCpus: 0,
      CgroupParent: '',
      BlkioWeight: 0,
      BlkioWeightDevice: [],
      BlkioDeviceReadBps: [],
      BlkioDeviceWriteBps: [],
      BlkioDeviceReadIOps: [],
      BlkioDeviceWriteIOps: [],
      CpuPeriod: 0,
      CpuQuota: 0,
      CpuRealtimePeriod: 0,
      CpuRealtimeRuntime: 0,
      CpusetCpus: '',
      CpusetMems: '',
      Devices: [],
      DeviceCgroupRules: null,
      DeviceRequests: null,
      MemoryReservation: 0,
      MemorySwap: 0,
      MemorySwappiness: -1,
      OomKillDisable: false,
      PidsLimit: 0,
      Ulimits: flags.list('ulimit').map(ulimit),
      CpuCount: 0,
      CpuPercent: 0,
      IOMaximumIOps: 0,
      IOMaximumBandwidth: 0,
      MaskedPaths: null,
      ReadonlyPaths: null,
      ...(flags.has('init') ? { Init: flags.bool('init') } : {}),
    },
    NetworkingConfig: { EndpointsConfig: networkMode === 'default' ? { default: ZERO_ENDPOINT } : {} },
  };
  const name = flags.has('name') ? flags.string('name') : undefined;
  const platform = flags.has('platform') ? flags.string('platform') : undefined;
  return { name, platform, image, body };
}
