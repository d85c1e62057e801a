import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict } from '../base/engine-error.js';
import type { Digest } from '../base/digest.js';
import { applyCapChanges, capsFromMask, DEFAULT_CAPABILITIES, privilegedCapabilities } from './capabilities.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import { renderHostname, renderHosts, renderResolvConf } from './etc-files.js';
import { findInitBinary, initProcess } from './init-process.js';
import { buildRuntimeSpec, type NamespaceMode, type VolumeMount } from './runtime-spec.js';
import { resolveUser, type RootfsReader } from './user-lookup.js';
import { hostIsolationDeps } from './security-opts-defaults.js';
import { planIsolation, type IsolationDeps } from './security-opts-plan.js';
import type { NetworkSetup } from '../network/network-manager.js';
import type { NetnsUserns } from '../network/netsetup-plan.js';
import type { ContainerNetView } from '../network/container-net-view.js';
import { linkHostEntries } from './container-links.js';
import type { UsernsSupport } from './userns-support.js';

export interface StartPreparerDeps {
  layerDirs(imageId: Digest): string[];
  /** Resolves `container:<ref>` for shared namespaces: the other container's running record. */
  lookupContainer(ref: string): ContainerRecord;
  /** Sets up the container's network namespace before the runtime starts (undone by the released hook). */
  network?: { setUp(rec: ContainerRecord, opts?: { userns?: NetnsUserns }): Promise<NetworkSetup>; view?(rec: ContainerRecord): ContainerNetView };
  /**
   * Makes the container's volumes ready (create, copy-up from `layers`: upper then image layers,
   * missing -v host paths) and returns their OCI mounts. Without it only binds are mounted.
   */
  volumes?: { prepareStart(rec: ContainerRecord, layers: readonly string[]): Promise<VolumeMount[]> };
  /** Seccomp, AppArmor and device lookups; the host's when not given. */
  isolation?: IsolationDeps;
  /** User namespaces (--userns-remap, --userns=auto); without it every container uses the host's. */
  userns?: UsernsSupport;
}

/**
 * Reads a file of the container's root before it is mounted: the upper dir first, then the layers
 * top down. An overlay whiteout (a 0/0 character device) hides the file below it.
 */
export function layeredReader(dirs: readonly string[]): RootfsReader {
  return (path) => {
    for (const dir of dirs) {
      const full = join(dir, path);
      try {
        const st = lstatSync(full);
        if (st.isCharacterDevice() && st.rdev === 0) return undefined;
        if (!st.isFile()) continue;
        return readFileSync(full, 'utf8');
      } catch {
        continue;
      }
    }
    return undefined;
  };
}

function hostBoundingSet(): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return capsFromMask(m?.[1] ?? '0');
}

function hostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

function consoleSize(v: unknown): { height: number; width: number } | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [height, width] = v as unknown[];
  return typeof height === 'number' && typeof width === 'number' && height > 0 && width > 0 ? { height, width } : undefined;
}

/** Writes /etc files and the OCI bundle for one start; returns the overlay's lower dirs. */
export function createStartPreparer(deps: StartPreparerDeps) {
  let isolationDeps: IsolationDeps | undefined;
  return async (rec: ContainerRecord, p: ContainerPaths): Promise<{ lowerDirs: string[] }> => {
    const s = rec.spec;
    const h = s.host;
    // In a user namespace the lower dirs are copies of the layers owned by the mapped ids.
    const idMap = deps.userns?.idMapFor(rec);
    const imageDirs = deps.layerDirs(s.imageId);
    const lowerDirs = idMap && deps.userns ? await deps.userns.prepareRootfs(p, imageDirs, idMap) : imageDirs;
    const userMounts: VolumeMount[] = deps.volumes
      ? await deps.volumes.prepareStart(rec, [p.upper, ...lowerDirs])
      : h.binds.map((b) => ({ destination: b.destination, source: b.source, type: 'bind', options: ['rbind', b.readOnly ? 'ro' : 'rw', b.propagation] }));
    if (idMap && deps.userns) await deps.userns.ownVolumes(rec, idMap);

    const joined = (mode: string, kind: 'net' | 'pid' | 'ipc' | 'uts'): NamespaceMode => {
      if (mode === 'host') return { kind: 'host' };
      if (mode.startsWith('container:')) {
        const other = deps.lookupContainer(mode.slice('container:'.length));
        if (other.state.status !== 'running') throw conflict(`cannot join network namespace of a non running container: ${other.id}`);
        return { kind: 'path', path: `/proc/${other.state.pid}/ns/${kind}` };
      }
      return { kind: 'new' };
    };
    // Legacy links act on the default bridge only; on user networks Docker ignores HostConfig.Links
    // (compose `run` sends them there). Checked before any network work: a stopped target fails early.
    const links = h.networkMode === 'bridge' ? (h.links ?? []) : [];
    const linkHosts = linkHostEntries(rec.name, deps.network?.view?.(rec).networks.map((n) => n.name) ?? [], links, (ref) => {
      const t = deps.lookupContainer(ref);
      const running = t.state.status === 'running';
      const view = running ? deps.network?.view?.(t) : undefined;
      return { name: t.name, running, addresses: (view?.networks ?? []).map((n) => ({ network: n.name, ip: n.ip })).filter((a) => a.ip !== '') };
    });
    const userns = idMap && deps.userns ? deps.userns.namespaceFor(rec, idMap, deps.lookupContainer) : undefined;
    const netUserns = idMap && userns?.create ? { path: userns.path, ...idMap } : undefined;
    const net: NetworkSetup | undefined = deps.network ? await deps.network.setUp(rec, netUserns ? { userns: netUserns } : {}) : undefined;
    const network: NamespaceMode = net ? net.namespace : joined(h.networkMode, 'net');
    const hostname = h.networkMode === 'host' ? readFileSync('/proc/sys/kernel/hostname', 'utf8').trim() : s.hostname;

    await writeFile(p.hostname, renderHostname(hostname));
    await writeFile(
      p.hosts,
      h.networkMode === 'host'
        ? readFileSync('/etc/hosts', 'utf8')
        : renderHosts({ hostname, domainname: s.domainname, extraHosts: [...h.extraHosts, ...linkHosts], addresses: net?.addresses ?? [] }),
    );
    const resolv = renderResolvConf(hostResolvConf(), { dns: h.dns, dnsSearch: h.dnsSearch, dnsOptions: h.dnsOptions, internalResolver: net?.resolver });
    await writeFile(p.resolvConf, resolv.content);

    const user = resolveUser(s.user, layeredReader([p.upper, ...lowerDirs]), h.groupAdd ?? []);
    // As dockerd's process environment: PATH when the config has none, HOSTNAME, HOME, TERM for a TTY.
    const env = [...s.env];
    if (!env.some((e) => e.startsWith('PATH='))) env.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    if (!env.some((e) => e.startsWith('HOSTNAME='))) env.splice(1, 0, `HOSTNAME=${hostname}`);
    if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
    if (s.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');

    const capabilities = h.privileged ? privilegedCapabilities(hostBoundingSet()) : applyCapChanges(DEFAULT_CAPABILITIES, h.capAdd, h.capDrop, hostBoundingSet());
    const isolation = planIsolation(h, capabilities, (isolationDeps ??= deps.isolation ?? hostIsolationDeps()));
    const init = h.init ? initProcess([s.path, ...s.args], findInitBinary()) : undefined; // --init: tini as PID 1
    const spec = buildRuntimeSpec({
      id: rec.id,
      hostname,
      domainname: s.domainname,
      rootfsPath: p.rootfs,
      readonlyRootfs: h.readonlyRootfs,
      args: init ? init.args : [s.path, ...s.args],
      env,
      cwd: s.workingDir || '/',
      user,
      tty: s.tty,
      consoleSize: consoleSize(rec.wire.hostConfig.ConsoleSize),
      capabilities,
      privileged: h.privileged,
      etcFiles: { hostsPath: p.hosts, hostnamePath: p.hostname, resolvConfPath: p.resolvConf },
      namespaces: {
        network,
        pid: joined(h.pidMode, 'pid'),
        ipc: joined(h.ipcMode, 'ipc'),
        uts: h.utsMode === 'host' ? { kind: 'host' } : { kind: 'new' },
        // Docker's default: a private cgroup namespace on cgroup v2 hosts, the host's on v1.
        cgroupns: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'private' : 'host',
      },
      cgroupsPath: `/skiff/${rec.id}`,
      mounts: [...(init ? [init.mount] : []), ...userMounts],
      shmSize: h.shmSize,
      shm: h.ipcMode === 'host' ? { kind: 'bind', source: '/dev/shm' } : { kind: 'tmpfs' },
      ulimits: h.ulimits,
      ...isolation, // resources, seccomp, AppArmor, devices, masked paths (security-opts-plan.ts)
      sysctls: h.sysctls,
      oomScoreAdj: h.oomScoreAdj || undefined,
      userns: idMap && userns ? { ...idMap, path: userns.path } : undefined,
    });
    await writeFile(p.bundleConfig, JSON.stringify(spec));
    return { lowerDirs };
  };
}
