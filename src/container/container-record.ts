import type { Digest } from '../base/digest.js';
import type { PortBindingSpec } from '../network/port-bindings.js';
import type { MountSpec } from '../volume/mount-spec.js';
import type { ContainerLink } from './container-links.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Go's zero time, which Docker prints for "never". */
export const zeroTime = '0001-01-01T00:00:00Z';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  /** The monitor that parents the running container (0 when not running). */
  monitorPid: number;
  /**
   * Set by `docker stop`/`kill`, cleared by a user's start: a restart policy leaves such a
   * container down (`always` brings it back at the next daemon start, as Docker does).
   */
  manuallyStopped?: boolean;
}

export interface BindMount {
  source: string;
  destination: string;
  readOnly: boolean;
  propagation: string;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface EndpointSpec {
  network: string;
  aliases: string[];
  ipv4Address: string;
}

/** A host path with a rate or weight (--device-read-bps /dev/sda:1mb, --blkio-weight-device). */
export interface DeviceRate {
  path: string;
  rate: number;
}

/** --device: a host device node (or directory of them) made available in the container. */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  cgroupPermissions: string;
}

/** Resource limits besides memory, nanoCpus, cpuShares and pidsLimit; zero/empty means unset. */
export interface HostResources {
  memoryReservation: number;
  /** -1: unlimited swap. */
  memorySwap: number;
  /** -1: unset. */
  memorySwappiness: number;
  oomKillDisable: boolean;
  cpuQuota: number;
  cpuPeriod: number;
  cpusetCpus: string;
  cpusetMems: string;
  blkioWeight: number;
  blkioWeightDevice: DeviceRate[];
  deviceReadBps: DeviceRate[];
  deviceWriteBps: DeviceRate[];
  deviceReadIOps: DeviceRate[];
  deviceWriteIOps: DeviceRate[];
}

/** Host-side settings a container was created with, already validated. */
export interface HostOptions {
  autoRemove: boolean;
  /** The bind mounts among `mounts` (kept for records made before volumes). */
  binds: BindMount[];
  /** Every mount (binds, volumes, tmpfs) in mount order; absent in records made before volumes. */
  mounts?: MountSpec[];
  /** --volumes-from entries not yet expanded into `mounts` (expanded right after create). */
  volumesFrom?: string[];
  /** --volumes-from entries whose container did not exist at create: the start reports them. */
  volumesFromUnresolved?: string[];
  /** "bridge" (default), "none", "host", "container:<id>" or a user network's name. */
  networkMode: string;
  /** -p (HostConfig.PortBindings), and -P (PublishAllPorts). Absent in records made before networking. */
  portBindings?: PortBindingSpec[];
  publishAllPorts?: boolean;
  /** NetworkingConfig.EndpointsConfig: the networks to join and their aliases / requested addresses. */
  endpoints?: EndpointSpec[];
  privileged: boolean;
  readonlyRootfs: boolean;
  capAdd: string[];
  capDrop: string[];
  ulimits: Ulimit[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
  shmSize: number;
  memory: number;
  nanoCpus: number;
  cpuShares: number;
  pidsLimit: number;
  pidMode: string;
  ipcMode: string;
  utsMode: string;
  oomScoreAdj: number;
  sysctls: Record<string, string>;
  restartPolicy: { name: string; maximumRetryCount: number };
  /** --link / HostConfig.Links: resolved into /etc/hosts at each start (container-links.ts). */
  links?: ContainerLink[];
  /** --init: tini runs as PID 1 (mounted at /sbin/docker-init) and execs the command. */
  init?: boolean;
  /** The isolation settings below are absent in records made before they existed. */
  resources?: HostResources;
  /** HostConfig.SecurityOpt as sent (seccomp profiles inline as JSON). */
  securityOpt?: string[];
  /** --group-add: group names (resolved in the image's /etc/group) or numeric gids. */
  groupAdd?: string[];
  devices?: DeviceMapping[];
  /** --device-cgroup-rule: "c 1:3 rwm" style rules. */
  deviceCgroupRules?: string[];
  /** "" (the daemon's default), "host", or "auto" (a private range per container). */
  usernsMode?: string;
  /** --userns=auto: the id block allocated at the first start, kept until the container goes. */
  usernsIdMap?: { uidMappings: Array<{ containerID: number; hostID: number; size: number }>; gidMappings: Array<{ containerID: number; hostID: number; size: number }> };
  /** HostConfig.MaskedPaths / ReadonlyPaths when sent (the CLI's systempaths=unconfined sends []). */
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/** Everything create decided. Immutable after create (but for the name). */
export interface ContainerSpec {
  /** The image reference as the client typed it (Config.Image). */
  image: string;
  imageId: Digest;
  hostname: string;
  domainname: string;
  user: string;
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  workingDir: string;
  labels: Record<string, string>;
  exposedPorts: string[];
  volumes: string[];
  stopSignal: string;
  stopTimeout: number | undefined;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  /** argv[0] and the rest, resolved from entrypoint and cmd. */
  path: string;
  args: string[];
  host: HostOptions;
}

export interface ContainerRecord {
  id: string;
  /** Without the leading slash. */
  name: string;
  created: string;
  spec: ContainerSpec;
  state: ContainerState;
  restartCount: number;
  /** The create request as the client sent it (Config and HostConfig), echoed by inspect. */
  wire: { config: Record<string, unknown>; hostConfig: Record<string, unknown> };
}

export function initialState(): ContainerState {
  return { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: zeroTime, finishedAt: zeroTime, oomKilled: false, monitorPid: 0 };
}
