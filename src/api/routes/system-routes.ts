import { cpus, hostname, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { maxApiVersion, minApiVersion, engineVersion } from '../api-version.js';
import { sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface SystemInfoSource {
  daemonId: string;
  dataRoot: string;
  counts(): { containers: number; running: number; paused: number; stopped: number; images: number };
  cgroupVersion: '1' | '2';
  /** --userns-remap is on: info lists `name=userns` as dockerd does. */
  userns?: boolean;
  runtimePath: string;
}

const gitCommit = 'skiff';

function operatingSystem(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

function ping(ctx: RequestContext): void {
  const res = ctx.res!;
  res.writeHead(200, {
    'Builder-Version': '1',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    Swarm: 'inactive',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': ctx.req.method === 'HEAD' ? '0' : '2',
  });
  res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

export function systemRoutes(src: SystemInfoSource): Route[] {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const versionBody = () => {
    const details = {
      ApiVersion: maxApiVersion,
      Arch: arch,
      BuildTime: '2026-11-29T00:00:00.000000000+00:00',
      Experimental: 'false',
      GitCommit: gitCommit,
      GoVersion: `node${process.versions.node}`,
      KernelVersion: release(),
      MinAPIVersion: minApiVersion,
      Os: 'linux',
    };
    return {
      Platform: { Name: 'skiff' },
      Components: [{ Name: 'Engine', Version: engineVersion, Details: details }],
      Version: engineVersion,
      ApiVersion: maxApiVersion,
      MinAPIVersion: minApiVersion,
      GitCommit: gitCommit,
      GoVersion: details.GoVersion,
      Os: 'linux',
      Arch: arch,
      KernelVersion: release(),
      BuildTime: details.BuildTime,
    };
  };
  const infoBody = () => {
    const c = src.counts();
    return {
      ID: src.daemonId,
      Containers: c.containers,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: c.images,
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true,
      SwapLimit: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      Debug: false,
      NFd: 0,
      OomKillDisable: false,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: src.cgroupVersion,
      NEventsListener: 0,
      KernelVersion: release(),
      OperatingSystem: operatingSystem(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: process.arch === 'x64' ? 'x86_64' : process.arch,
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
      NCPU: cpus().length,
      MemTotal: totalmem(),
      GenericResources: null,
      DockerRootDir: src.dataRoot,
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: engineVersion,
      Runtimes: { runc: { path: src.runtimePath } },
      DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: '',
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: '' },
      InitCommit: { ID: '' },
      SecurityOptions: ['name=seccomp,profile=builtin', ...(src.cgroupVersion === '2' ? ['name=cgroupns'] : []), ...(src.userns ? ['name=userns'] : [])],
      Warnings: null,
    };
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    { method: 'GET', path: '/version', handler: (ctx) => sendJson(ctx, 200, versionBody()) },
    { method: 'GET', path: '/info', handler: (ctx) => sendJson(ctx, 200, infoBody()) },
  ];
}
