import { join } from 'node:path';
import { unixSeconds } from '../base/rfc3339.js';
import { mountShape, mountsOf as volumeMountsOf } from '../volume/mount-spec.js';
import type { ContainerPaths } from '../container/container-paths.js';
import { zeroTime, type ContainerRecord } from '../container/container-record.js';
import type { ContainerNetView } from '../network/container-net-view.js';
import { portsMap, summaryPorts } from '../network/port-bindings.js';
import { isolationHostConfigShape } from '../container/resources-wire.js';

/** Docker's wire shapes for containers: inspect, list summaries, status text. */

const emptyEndpoint = (networkId: string) => ({
  IPAMConfig: null,
  Links: null,
  Aliases: null,
  MacAddress: '',
  DriverOpts: null,
  GwPriority: 0,
  NetworkID: networkId,
  EndpointID: '',
  Gateway: '',
  IPAddress: '',
  IPPrefixLen: 0,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  DNSNames: null,
});

function networksOf(rec: ContainerRecord, net?: ContainerNetView): Record<string, unknown> {
  const mode = rec.spec.host.networkMode;
  if (mode.startsWith('container:')) return {};
  if (!net) return { [mode]: emptyEndpoint('') };
  const out: Record<string, unknown> = {};
  for (const n of net.networks) {
    out[n.name] = {
      ...emptyEndpoint(n.networkId),
      Aliases: n.aliases.length ? n.aliases : null,
      MacAddress: n.mac,
      EndpointID: n.endpointId,
      Gateway: n.gateway,
      IPAddress: n.ip,
      IPPrefixLen: n.prefixLen,
      IPv6Gateway: n.gateway6 ?? '',
      GlobalIPv6Address: n.ip6 ?? '',
      GlobalIPv6PrefixLen: n.prefixLen6 ?? 0,
      DNSNames: n.dnsNames.length ? n.dnsNames : null,
    };
  }
  return out;
}

function portsOf(rec: ContainerRecord, net?: ContainerNetView): Record<string, unknown> {
  return portsMap(rec.spec.exposedPorts, net?.ports ?? []);
}

/** Docker's Mounts list: binds, volumes (Source = the volume's directory) and tmpfs. */
function mountsOf(rec: ContainerRecord, dataRoot: string) {
  return volumeMountsOf(rec).map((m) => mountShape(m, (name) => (dataRoot ? join(dataRoot, 'volumes', name, '_data') : '')));
}

const objectOrNull = (keys: readonly string[]) => (keys.length ? Object.fromEntries(keys.map((k) => [k, {}])) : null);

export function configShape(rec: ContainerRecord): Record<string, unknown> {
  const s = rec.spec;
  const config: Record<string, unknown> = {
    Hostname: s.hostname,
    Domainname: s.domainname,
    User: s.user,
    AttachStdin: s.attachStdin,
    AttachStdout: s.attachStdout,
    AttachStderr: s.attachStderr,
    Tty: s.tty,
    OpenStdin: s.openStdin,
    StdinOnce: s.stdinOnce,
    Env: s.env,
    Cmd: s.cmd,
    Image: s.image,
    Volumes: objectOrNull(s.volumes),
    WorkingDir: s.workingDir,
    Entrypoint: s.entrypoint,
    OnBuild: null,
    Labels: s.labels,
  };
  if (s.exposedPorts.length) config.ExposedPorts = objectOrNull(s.exposedPorts);
  if (s.stopSignal) config.StopSignal = s.stopSignal;
  if (s.stopTimeout !== undefined) config.StopTimeout = s.stopTimeout;
  return config;
}

export function hostConfigShape(rec: ContainerRecord): Record<string, unknown> {
  const h = rec.spec.host;
  return {
    Binds: rec.wire.hostConfig.Binds ?? null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: h.networkMode,
    PortBindings: rec.wire.hostConfig.PortBindings ?? {},
    RestartPolicy: { Name: h.restartPolicy.name, MaximumRetryCount: h.restartPolicy.maximumRetryCount },
    AutoRemove: h.autoRemove,
    VolumeDriver: '',
    VolumesFrom: rec.wire.hostConfig.VolumesFrom ?? null,
    ConsoleSize: rec.wire.hostConfig.ConsoleSize ?? [0, 0],
    CapAdd: h.capAdd.length ? h.capAdd : null,
    CapDrop: h.capDrop.length ? h.capDrop : null,
    CgroupnsMode: 'private',
    Dns: h.dns,
    DnsOptions: h.dnsOptions,
    DnsSearch: h.dnsSearch,
    ExtraHosts: h.extraHosts.length ? h.extraHosts : null,
    GroupAdd: null,
    IpcMode: h.ipcMode || 'private',
    Cgroup: '',
    // Docker shows links as "/target:/self/alias".
    Links: h.links?.length ? h.links.map((l) => `/${l.name}:/${rec.name}/${l.alias}`) : null,
    OomScoreAdj: h.oomScoreAdj,
    PidMode: h.pidMode,
    Privileged: h.privileged,
    PublishAllPorts: h.publishAllPorts === true,
    ReadonlyRootfs: h.readonlyRootfs,
    SecurityOpt: null,
    UTSMode: h.utsMode,
    UsernsMode: '',
    ShmSize: h.shmSize || 67108864,
    Runtime: 'runc',
    Isolation: '',
    CpuShares: h.cpuShares,
    Memory: h.memory,
    NanoCpus: h.nanoCpus,
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
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: h.pidsLimit || null,
    Ulimits: h.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    Sysctls: Object.keys(h.sysctls).length ? h.sysctls : undefined,
    MaskedPaths: [],
    ReadonlyPaths: [],
    ...isolationHostConfigShape(h), // resources, security options, devices (container/resources-wire.ts)
  };
}

export function inspectShape(rec: ContainerRecord, p: ContainerPaths, dataRoot: string, lowerDirs: string[], net?: ContainerNetView): Record<string, unknown> {
  const st = rec.state;
  // Docker fills the deprecated top-level fields from the default bridge's endpoint only.
  const primary = net?.networks.find((n) => n.name === 'bridge');
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.spec.path,
    Args: rec.spec.args,
    State: {
      Status: st.status,
      Running: st.status === 'running',
      Paused: st.status === 'paused',
      Restarting: st.status === 'restarting',
      OOMKilled: st.oomKilled,
      Dead: st.status === 'dead',
      Pid: st.pid,
      ExitCode: st.exitCode,
      Error: st.error,
      StartedAt: st.startedAt,
      FinishedAt: st.finishedAt,
    },
    Image: rec.spec.imageId,
    ResolvConfPath: p.resolvConf,
    HostnamePath: p.hostname,
    HostsPath: p.hosts,
    LogPath: p.log,
    Name: `/${rec.name}`,
    RestartCount: rec.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigShape(rec),
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        LowerDir: lowerDirs.join(':'),
        MergedDir: p.rootfs,
        UpperDir: p.upper,
        WorkDir: p.work,
      },
    },
    Mounts: mountsOf(rec, dataRoot),
    Config: configShape(rec),
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: net ? net.sandboxKey : st.pid && rec.spec.host.networkMode !== 'host' ? `/proc/${st.pid}/ns/net` : '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: portsOf(rec, net),
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: primary?.endpointId ?? '',
      Gateway: primary?.gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: primary?.ip ?? '',
      IPPrefixLen: primary?.prefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: primary?.mac ?? '',
      Networks: networksOf(rec, net),
    },
  };
}

/** "Up 5 seconds", "Exited (0) 3 minutes ago", "Created" — Docker's STATUS column. */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const st = rec.state;
  switch (st.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(st.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(st.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${st.exitCode}) ${humanDuration(now - Date.parse(st.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      return st.finishedAt === zeroTime ? 'Created' : `Exited (${st.exitCode}) ${humanDuration(now - Date.parse(st.finishedAt))} ago`;
  }
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

function commandText(rec: ContainerRecord): string {
  return [rec.spec.path, ...rec.spec.args].join(' ');
}

export function summaryShape(rec: ContainerRecord, now = Date.now(), net?: ContainerNetView, dataRoot = ''): Record<string, unknown> {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: rec.spec.image,
    ImageID: rec.spec.imageId,
    Command: commandText(rec),
    Created: unixSeconds(rec.created),
    Ports: summaryPorts(rec.spec.exposedPorts, net?.ports ?? []),
    Labels: rec.spec.labels,
    State: rec.state.status,
    Status: statusText(rec, now),
    HostConfig: { NetworkMode: rec.spec.host.networkMode },
    NetworkSettings: { Networks: networksOf(rec, net) },
    Mounts: mountsOf(rec, dataRoot).map((m) => ({ Name: '', Driver: '', ...m })),
  };
}
