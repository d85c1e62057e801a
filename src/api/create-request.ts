import { existsSync } from 'node:fs';
import { invalidParameter } from '../base/engine-error.js';
import { newId } from '../base/ids.js';
import { planMounts } from '../volume/mount-plan.js';
import type { MountSpec } from '../volume/mount-spec.js';
import { resolveCommand } from '../container/command-line.js';
import { parseLogOptions } from '../container/log-file.js';
import type { ContainerSpec, EndpointSpec, HostOptions, Ulimit } from '../container/container-record.js';
import { parsePortBindings } from '../network/port-bindings.js';
import { restartPolicyError } from '../container/restart-policy.js';
import { parseLinks } from '../container/container-links.js';
import type { ImageRecord } from '../image/image-config.js';
import { ISOLATION_HOST_FIELDS, parseIsolationHostConfig } from '../container/resources-wire.js';

/** The parts of Docker's create body skiff reads. Everything is optional on the wire. */
export interface CreateBody {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, unknown> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Image?: string;
  Volumes?: Record<string, unknown> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  Healthcheck?: unknown;
  HostConfig?: Record<string, unknown> | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null } | null;
}

/** A field is "unset" when it holds its zero value; set fields skiff cannot honour are refused, never ignored. */
function isUnset(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isUnset);
  return false;
}

/** HostConfig fields accepted with a fixed meaning, besides those read below. */
const ignoredHostFields = new Set([
  'ConsoleSize', // terminal size: applied through resize
  'LogConfig', // checked below
  'Isolation',
  'CgroupnsMode',
  'Runtime',
]);

const readHostFields = new Set([
  'AutoRemove', 'Binds', 'Mounts', 'VolumesFrom', 'Tmpfs', 'NetworkMode', 'Privileged', 'ReadonlyRootfs', 'CapAdd', 'CapDrop', 'Ulimits', 'Dns',
  'DnsSearch', 'DnsOptions', 'ExtraHosts', 'ShmSize', 'Memory', 'NanoCpus', 'CpuShares', 'PidsLimit', 'PidMode',
  'IpcMode', 'UTSMode', 'OomScoreAdj', 'Sysctls', 'RestartPolicy', 'Init', 'PortBindings', 'PublishAllPorts', 'Links',
  ...ISOLATION_HOST_FIELDS, // resources, security options, devices, users: container/resources-wire.ts
]);

const asStrings = (v: unknown, field: string): string[] => {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalidParameter(`${field} must be a list of strings`);
  return v;
};

const asCommand = (v: string[] | string | null | undefined): string[] | null | undefined =>
  typeof v === 'string' ? [v] : v;

function parseUlimits(v: unknown): Ulimit[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw invalidParameter('Ulimits must be a list');
  return v.map((u: { Name?: unknown; Soft?: unknown; Hard?: unknown }) => {
    if (typeof u.Name !== 'string' || typeof u.Soft !== 'number' || typeof u.Hard !== 'number') throw invalidParameter('invalid ulimit');
    if (u.Soft > u.Hard) throw invalidParameter(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    return { name: u.Name, soft: u.Soft, hard: u.Hard };
  });
}

function namespaceMode(v: unknown, field: string): string {
  const s = typeof v === 'string' ? v : '';
  if (s === '' || s === 'host' || s === 'private' || (field === 'IpcMode' && s === 'shareable')) return s;
  throw invalidParameter(`${field} "${s}" is not supported yet`);
}

function networkMode(v: unknown): string {
  const s = typeof v === 'string' ? v : '';
  if (s === '' || s === 'default' || s === 'bridge') return 'bridge';
  if (s === 'container:') throw invalidParameter('container: requires a container name or ID');
  // Any other name is a user network, checked when the container starts.
  return s;
}

/** NetworkingConfig.EndpointsConfig → the networks to join; "default" means the default bridge. */
export function parseEndpoints(v: unknown): EndpointSpec[] {
  if (v === null || v === undefined) return [];
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter('NetworkingConfig.EndpointsConfig must be an object');
  return Object.entries(v as Record<string, unknown>).map(([network, raw]) => {
    const ep = (raw ?? {}) as { Aliases?: unknown; IPAMConfig?: { IPv4Address?: unknown } | null };
    const aliases = Array.isArray(ep.Aliases) ? ep.Aliases.filter((a): a is string => typeof a === 'string') : [];
    const ip = ep.IPAMConfig?.IPv4Address;
    return { network: network === 'default' ? 'bridge' : network, aliases, ipv4Address: typeof ip === 'string' ? ip : '' };
  });
}

export function parseHostOptions(hc: Record<string, unknown>): HostOptions {
  for (const [key, value] of Object.entries(hc)) {
    if (readHostFields.has(key) || ignoredHostFields.has(key) || isUnset(value)) continue;
    throw invalidParameter(`HostConfig.${key} is not supported by this engine yet`);
  }
  const log = hc.LogConfig as { Type?: string; Config?: unknown } | undefined;
  if (log?.Type && log.Type !== 'json-file') throw invalidParameter(`logging driver "${log.Type}" is not supported; only json-file is`);
  parseLogOptions(log?.Config); // --log-opt max-size/max-file; applied by the monitor at each start
  const restart = (hc.RestartPolicy ?? {}) as { Name?: string; MaximumRetryCount?: number };
  const badRestart = restartPolicyError(restart);
  if (badRestart) throw invalidParameter(badRestart);
  if (hc.AutoRemove === true && restart.Name && restart.Name !== 'no') throw invalidParameter("can't create 'AutoRemove' container with restart policy");
  const num = (k: string) => {
    const v = hc[k];
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameter(`HostConfig.${k} must be a number`);
    return v;
  };
  const sysctls = (hc.Sysctls ?? {}) as Record<string, string>;
  const links = parseLinks(hc.Links); // legacy links: /etc/hosts entries on the default bridge (container/container-links.ts)
  if (links.length > 0 && networkMode(hc.NetworkMode) === 'host') {
    throw invalidParameter("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
  }
  const isolation = parseIsolationHostConfig(hc);
  return {
    ...isolation,
    autoRemove: hc.AutoRemove === true,
    binds: [], // filled with `mounts` by specFromCreate
    volumesFrom: asStrings(hc.VolumesFrom, 'HostConfig.VolumesFrom'),
    networkMode: networkMode(hc.NetworkMode),
    portBindings: parsePortBindings(hc.PortBindings),
    publishAllPorts: hc.PublishAllPorts === true,
    privileged: hc.Privileged === true,
    readonlyRootfs: hc.ReadonlyRootfs === true,
    capAdd: asStrings(hc.CapAdd, 'HostConfig.CapAdd'),
    capDrop: asStrings(hc.CapDrop, 'HostConfig.CapDrop'),
    ulimits: parseUlimits(hc.Ulimits),
    dns: asStrings(hc.Dns, 'HostConfig.Dns'),
    dnsSearch: asStrings(hc.DnsSearch, 'HostConfig.DnsSearch'),
    dnsOptions: asStrings(hc.DnsOptions, 'HostConfig.DnsOptions'),
    extraHosts: asStrings(hc.ExtraHosts, 'HostConfig.ExtraHosts'),
    shmSize: num('ShmSize'),
    memory: num('Memory'),
    nanoCpus: num('NanoCpus'),
    cpuShares: num('CpuShares'),
    pidsLimit: num('PidsLimit'),
    pidMode: namespaceMode(hc.PidMode, 'PidMode'),
    ipcMode: namespaceMode(hc.IpcMode, 'IpcMode'),
    utsMode: namespaceMode(hc.UTSMode, 'UTSMode'),
    oomScoreAdj: num('OomScoreAdj'),
    sysctls,
    restartPolicy: { name: restart.Name || 'no', maximumRetryCount: restart.MaximumRetryCount ?? 0 },
    init: hc.Init === true,
    ...(links.length > 0 ? { links } : {}),
  };
}

/** -v, --mount, --tmpfs, Config.Volumes and the image's VOLUMEs → the container's mounts (see volume/mount-plan.ts). */
function mountsFromCreate(hc: Record<string, unknown>, volumes: string[]): MountSpec[] {
  const mounts = hc.Mounts ?? [];
  if (!Array.isArray(mounts)) throw invalidParameter('HostConfig.Mounts must be a list');
  const tmpfs = hc.Tmpfs ?? {};
  if (typeof tmpfs !== 'object' || Array.isArray(tmpfs) || !Object.values(tmpfs).every((v) => typeof v === 'string')) {
    throw invalidParameter('HostConfig.Tmpfs must map paths to option strings');
  }
  return planMounts({
    binds: asStrings(hc.Binds, 'HostConfig.Binds'),
    mounts,
    tmpfs: tmpfs as Record<string, string>,
    volumes,
    hostPathExists: existsSync, // a read: --mount binds must name an existing path, as in Docker
    newVolumeName: newId,
  });
}

function mergeEnv(imageEnv: readonly string[], createEnv: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...imageEnv, ...createEnv]) {
    const eq = e.indexOf('=');
    const key = eq === -1 ? e : e.slice(0, eq);
    out.set(key, e);
  }
  return [...out.values()].filter((e) => e.includes('='));
}

/** Docker's create body + the resolved image → the container's spec. */
export function specFromCreate(body: CreateBody, image: ImageRecord): ContainerSpec {
  const ic = image.config.config ?? {};
  if (!isUnset(body.Healthcheck)) throw invalidParameter('health checks are not supported by this engine yet');
  const volumes = [...new Set([...Object.keys(body.Volumes ?? {}), ...Object.keys(ic.Volumes ?? {})])];
  const host = parseHostOptions(body.HostConfig ?? {});
  host.mounts = mountsFromCreate(body.HostConfig ?? {}, volumes);
  host.binds = host.mounts.flatMap((m) => (m.type === 'bind' ? [{ source: m.source, destination: m.destination, readOnly: m.readOnly, propagation: m.propagation }] : []));
  host.endpoints = parseEndpoints(body.NetworkingConfig?.EndpointsConfig);
  const command = resolveCommand(ic, { Entrypoint: asCommand(body.Entrypoint), Cmd: asCommand(body.Cmd) });
  const stopTimeout = typeof body.StopTimeout === 'number' ? body.StopTimeout : undefined;
  return {
    image: body.Image ?? '',
    imageId: image.id,
    hostname: body.Hostname ?? '',
    domainname: body.Domainname ?? '',
    user: body.User || ic.User || '',
    env: mergeEnv(ic.Env ?? [], asStrings(body.Env, 'Env')),
    cmd: command.cmd,
    entrypoint: command.entrypoint,
    workingDir: body.WorkingDir || ic.WorkingDir || '',
    labels: { ...(ic.Labels ?? {}), ...(body.Labels ?? {}) },
    exposedPorts: [...new Set([...Object.keys(ic.ExposedPorts ?? {}), ...Object.keys(body.ExposedPorts ?? {})])],
    volumes,
    stopSignal: body.StopSignal || ic.StopSignal || '',
    stopTimeout,
    tty: body.Tty === true,
    openStdin: body.OpenStdin === true,
    stdinOnce: body.StdinOnce === true,
    attachStdin: body.AttachStdin === true,
    attachStdout: body.AttachStdout === true,
    attachStderr: body.AttachStderr === true,
    path: command.path,
    args: command.args,
    host,
  };
}
