import type { ImageRecord } from './image-config.js';
import { familiarize } from './reference.js';

/**
 * Docker's wire shapes for images (PascalCase), built from a record. Pure; api/ serialises them.
 */

/** Go's RFC3339Nano for a JS date string: trailing zeros of the fraction dropped. */
export function rfc3339Nano(iso: string | number | undefined): string {
  if (iso === undefined) return '0001-01-01T00:00:00Z';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return typeof iso === 'string' ? iso : '0001-01-01T00:00:00Z';
  // Keep a nanosecond fraction given in the source string (JS dates stop at milliseconds).
  const frac = typeof iso === 'string' ? /\.(\d+)/.exec(iso)?.[1] : undefined;
  const base = d.toISOString().replace(/\.\d+Z$/, '');
  const digits = (frac ?? String(d.getUTCMilliseconds()).padStart(3, '0')).replace(/0+$/, '');
  return digits === '' ? `${base}Z` : `${base}.${digits}Z`;
}

export const unixSeconds = (iso: string | undefined): number => (iso ? Math.floor(new Date(iso).getTime() / 1000) : 0);

function familiarAll(refs: string[]): string[] {
  return refs.map((r) => {
    try {
      return familiarize(r);
    } catch {
      return r;
    }
  });
}

export function inspectShape(record: ImageRecord, diffDirs: string[] = []): Record<string, unknown> {
  const c = record.config;
  const cc = c.config ?? {};
  const graphData: Record<string, string> = {};
  const [upper, ...lower] = diffDirs;
  if (upper !== undefined) {
    const layerDir = upper.replace(/\/diff$/, '');
    if (lower.length > 0) graphData.LowerDir = lower.join(':');
    graphData.MergedDir = `${layerDir}/merged`;
    graphData.UpperDir = upper;
    graphData.WorkDir = `${layerDir}/work`;
  }
  const config: Record<string, unknown> = {
    User: cc.User ?? '',
    ExposedPorts: cc.ExposedPorts,
    Env: cc.Env ?? null,
    Cmd: cc.Cmd ?? null,
    Healthcheck: cc.Healthcheck,
    ArgsEscaped: cc.ArgsEscaped,
    Volumes: cc.Volumes ?? null,
    WorkingDir: cc.WorkingDir ?? '',
    Entrypoint: cc.Entrypoint ?? null,
    OnBuild: cc.OnBuild ?? null,
    Labels: cc.Labels ?? null,
    StopSignal: cc.StopSignal,
    Shell: cc.Shell,
  };
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  const out: Record<string, unknown> = {
    Id: record.id,
    RepoTags: familiarAll(record.repoTags),
    RepoDigests: familiarAll(record.repoDigests),
    Parent: record.parentId,
    Comment: c.comment ?? '',
    Created: rfc3339Nano(c.created),
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: config,
    Architecture: c.architecture,
    Os: c.os,
    Size: record.size,
    GraphDriver: { Name: 'overlay2', Data: graphData },
    RootFS: { Type: 'layers', Layers: [...c.rootfs.diff_ids] },
    Metadata: { LastTagTime: record.lastTagTime ? rfc3339Nano(record.lastTagTime) : '0001-01-01T00:00:00Z' },
  };
  if (c.variant) out.Variant = c.variant;
  return out;
}

/** One element of `GET /images/json`. */
export function summaryShape(record: ImageRecord): Record<string, unknown> {
  return {
    Id: record.id,
    ParentId: record.parentId,
    RepoTags: familiarAll(record.repoTags),
    RepoDigests: familiarAll(record.repoDigests),
    Created: unixSeconds(record.config.created),
    Size: record.size,
    SharedSize: -1,
    Labels: record.config.config?.Labels ?? {},
    Containers: -1,
  };
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}
