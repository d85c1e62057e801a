import type { Digest } from '../base/digest.js';

/** The runnable part of an OCI image config ("config" in the JSON), in Docker's field names. */
export interface ContainerConfigFields {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Shell?: string[];
  OnBuild?: string[] | null;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  ArgsEscaped?: boolean;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An OCI image configuration (application/vnd.oci.image.config.v1+json), as stored byte-for-byte in the blob store. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfigFields;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  /** Docker-only fields kept when present. */
  comment?: string;
  container?: string;
  docker_version?: string;
}

/** An image as the store knows it. `id` is the digest of the config blob (Docker's image ID). */
export interface ImageRecord {
  id: Digest;
  config: ImageConfig;
  /** Normalised references, e.g. "docker.io/library/busybox:latest". */
  repoTags: string[];
  /** Normalised "name@sha256:…" references of manifests this image was pulled or pushed as. */
  repoDigests: string[];
  /** ID of the image this one was built or committed from, or "". */
  parentId: string;
  /** Bytes of all layers, unpacked. */
  size: number;
  /** When the record was made locally (ms since epoch). */
  createdAt: number;
  /** When a tag was last added to it (ms since epoch), if ever; Docker's Metadata.LastTagTime. */
  lastTagTime?: number;
}
