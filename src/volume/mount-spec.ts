import type { ContainerRecord } from '../container/container-record.js';

/**
 * One mount of a container as create decided it: a host directory (bind), a volume by name, or a
 * tmpfs. Stored in the container record; turned into OCI mounts at every start.
 */
export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: the host path; volume: the volume's name; tmpfs: "". */
  source: string;
  destination: string;
  readOnly: boolean;
  /** Docker's `Mode` as inspect shows it: the -v option text ("ro", "z", …), "" for --mount. */
  mode: string;
  /** bind: rprivate unless asked; volumes and tmpfs: "". */
  propagation: string;
  /** A volume created for this container alone (`-v /path`, an image VOLUME): `rm -v` removes it. */
  anonymous?: boolean;
  /** --mount volume-nocopy: the image's content is not copied into a fresh volume. */
  noCopy?: boolean;
  /** -v binds create a missing host path (as a directory); --mount binds refuse it. */
  createHostPath?: boolean;
  /** --mount volume-label=…, applied when the volume is created by this mount. */
  volumeLabels?: Record<string, string>;
  /** tmpfs size in bytes (0: the kernel's default) and mode (0: 1777). */
  tmpfsSize?: number;
  tmpfsMode?: number;
  /** Extra tmpfs options from HostConfig.Tmpfs ("exec", "uid=1000", …). */
  tmpfsOptions?: string[];
}

/** Docker's Mounts element (inspect and ps). */
export interface MountShape {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** Inspect's view of one mount; a volume's Source is its host directory. */
export function mountShape(m: MountSpec, volumeDir: (name: string) => string): MountShape {
  if (m.type === 'volume') {
    return { Type: 'volume', Name: m.source, Source: volumeDir(m.source), Destination: m.destination, Driver: 'local', Mode: m.mode, RW: !m.readOnly, Propagation: '' };
  }
  if (m.type === 'tmpfs') return { Type: 'tmpfs', Source: '', Destination: m.destination, Mode: m.mode, RW: !m.readOnly, Propagation: '' };
  return { Type: 'bind', Source: m.source, Destination: m.destination, Mode: m.mode, RW: !m.readOnly, Propagation: m.propagation };
}

/** A container's mounts; records made before volumes existed only have binds. */
export function mountsOf(rec: ContainerRecord): MountSpec[] {
  const h = rec.spec.host;
  if (h.mounts) return h.mounts;
  return h.binds.map((b) => ({ type: 'bind', source: b.source, destination: b.destination, readOnly: b.readOnly, mode: '', propagation: b.propagation }));
}

