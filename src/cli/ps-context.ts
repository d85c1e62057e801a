import { contextObject } from './format-list.js';
import { GoObject, type GoValue } from './go-value.js';
import { ellipsis, goQuote, goTimeString, humanSize, timeAgo, truncateId } from './human.js';

/** A container as GET /containers/json returns it (fields the CLI reads). */
export interface ContainerSummary {
  Id: string;
  Names?: string[] | null;
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: PortSummary[] | null;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
  Mounts?: { Name?: string; Source?: string; Driver?: string }[] | null;
}

export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Label: 'LABEL',
  Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS', Platform: 'PLATFORM',
};

function joinHostPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** docker's DisplayablePorts: consecutive ports grouped into ranges, published ones as ip:host->port/proto. */
export function displayablePorts(ports: PortSummary[]): string {
  const sorted = [...ports].sort((a, b) => {
    if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
    const ia = a.IP ?? '';
    const ib = b.IP ?? '';
    if (ia !== ib) return ia < ib ? -1 : 1;
    const pa = a.PublicPort ?? 0;
    const pb = b.PublicPort ?? 0;
    if (pa !== pb) return pa - pb;
    return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
  });
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number) => {
    const slash = key.lastIndexOf('/');
    const ip = slash >= 0 ? key.slice(0, slash) : '';
    const type = slash >= 0 ? key.slice(slash + 1) : key;
    let group = first === last ? String(first) : `${first}-${last}`;
    if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    const current = p.PrivatePort;
    let key = p.Type;
    const ip = p.IP ?? '';
    if (ip !== '') {
      if ((p.PublicPort ?? 0) !== current) {
        hostMappings.push(`${joinHostPort(ip, String(p.PublicPort ?? 0))}->${current}/${p.Type}`);
        continue;
      }
      key = `${ip}/${p.Type}`;
    }
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === g.last + 1) {
      g.last = current;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: current, last: current });
  }
  // Go re-inserts the key on a new group, so iteration follows first creation order: Map does too
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function imageOf(c: ContainerSummary, trunc: boolean): string {
  const image = c.Image ?? '';
  if (image === '') return '<no image>';
  if (!trunc) return image;
  if (truncateId(c.ImageID ?? '') === truncateId(image)) return truncateId(image);
  const at = image.indexOf('@');
  return at >= 0 ? image.slice(0, at) : image;
}

/** One `docker ps` row with docker's computed placeholders (.ID .Image .Command .RunningFor …). */
export function psContext(c: ContainerSummary, trunc: boolean, now = Date.now()): GoObject {
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  const fields: Record<string, (...args: GoValue[]) => GoValue> = {
    ID: () => (trunc ? truncateId(c.Id) : c.Id),
    Image: () => imageOf(c, trunc),
    Command: () => goQuote(trunc ? ellipsis(c.Command ?? '', 20) : c.Command ?? ''),
    CreatedAt: () => goTimeString(c.Created ?? 0),
    RunningFor: () => timeAgo(c.Created ?? 0, now),
    Ports: () => displayablePorts(c.Ports ?? []),
    State: () => c.State ?? '',
    Status: () => c.Status ?? '',
    Size: () => {
      const srw = humanSize(c.SizeRw ?? 0);
      return (c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize(c.SizeRootFs ?? 0)})` : srw;
    },
    Names: () => {
      if (!trunc) return names.join(',');
      const plain = names.find((n) => !n.includes('/'));
      return plain !== undefined ? plain : names.join(',');
    },
    Labels: () =>
      Object.entries(c.Labels ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    Label: (key) => (c.Labels ?? {})[String(key)] ?? '',
    Mounts: () =>
      (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || '')).join(','),
    LocalVolumes: () => String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: () => null,
  };
  const json = () => {
    const out: Record<string, GoValue> = {};
    for (const k of Object.keys(fields).sort()) if (k !== 'Label') out[k] = (fields[k] as () => GoValue)();
    return fromRecord(out);
  };
  return contextObject('*formatter.ContainerContext', fields, json);
}

function fromRecord(r: Record<string, GoValue>): GoValue {
  return new GoObject(new Map(Object.entries(r)), 'map');
}
