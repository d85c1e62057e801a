import { invalidParameter } from '../base/engine-error.js';
import { parseIPv4 } from './ipv4.js';
import { formatIPv6, parseIPv6 } from './ipv6.js';

/** One `-p` as create recorded it; hostPortStart 0 asks for an ephemeral port. */
export interface PortBindingSpec {
  containerPort: number;
  proto: 'tcp' | 'udp';
  /** "" for all addresses. */
  hostIp: string;
  hostPortStart: number;
  hostPortEnd: number;
}

/** A port published while the container runs. */
export interface PublishedPort {
  proto: 'tcp' | 'udp';
  /** "0.0.0.0" for all addresses. */
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' } {
  const [p = '', proto = 'tcp'] = key.split('/');
  const port = /^\d+$/.test(p) ? Number(p) : NaN;
  if (!(port >= 1 && port <= 65535)) throw invalidParameter(`invalid port specification: "${key}"`);
  if (proto !== 'tcp' && proto !== 'udp') throw invalidParameter(`${proto} ports are not supported by this engine`);
  return { port, proto };
}

/** HostConfig.PortBindings → specs; Docker's wording for bad values. */
export function parsePortBindings(wire: unknown): PortBindingSpec[] {
  if (wire === null || wire === undefined) return [];
  if (typeof wire !== 'object' || Array.isArray(wire)) throw invalidParameter('HostConfig.PortBindings must be an object');
  const out: PortBindingSpec[] = [];
  for (const [key, list] of Object.entries(wire as Record<string, unknown>)) {
    const { port, proto } = parsePortKey(key);
    const bindings = Array.isArray(list) && list.length > 0 ? (list as unknown[]) : [{}];
    for (const b of bindings) {
      const { HostIp = '', HostPort = '' } = (b ?? {}) as { HostIp?: unknown; HostPort?: unknown };
      if (typeof HostIp !== 'string' || typeof HostPort !== 'string') throw invalidParameter(`invalid port binding for ${key}`);
      // IPv6 host addresses are kept in canonical text (they key nft maps); the network manager
      // publishes them to the container's IPv6 address, or relays them to its IPv4 one.
      const v6 = HostIp.includes(':') ? parseIPv6(HostIp) : undefined;
      if (HostIp !== '' && HostIp !== '0.0.0.0' && parseIPv4(HostIp) === undefined && v6 === undefined) {
        throw invalidParameter(`invalid IP address: ${HostIp}`);
      }
      const hostIp = v6 !== undefined ? formatIPv6(v6) : HostIp === '0.0.0.0' ? '' : HostIp;
      const m = /^(\d+)(?:-(\d+))?$/.exec(HostPort);
      if (HostPort !== '' && !m) throw invalidParameter(`invalid port specification: "${HostPort}"`);
      const start = m ? Number(m[1]) : 0;
      const end = m?.[2] !== undefined ? Number(m[2]) : start;
      if (start > 65535 || end > 65535 || end < start) throw invalidParameter(`invalid port specification: "${HostPort}"`);
      out.push({ containerPort: port, proto, hostIp, hostPortStart: start, hostPortEnd: end });
    }
  }
  return out;
}

/** `-P`: every exposed port without an explicit binding gets an ephemeral host port. */
export function withPublishAll(specs: readonly PortBindingSpec[], exposed: readonly string[], publishAll: boolean): PortBindingSpec[] {
  if (!publishAll) return [...specs];
  const out = [...specs];
  for (const key of exposed) {
    const { port, proto } = parsePortKey(key);
    if (out.some((s) => s.containerPort === port && s.proto === proto)) continue;
    out.push({ containerPort: port, proto, hostIp: '', hostPortStart: 0, hostPortEnd: 0 });
  }
  return out;
}

/** NetworkSettings.Ports: every exposed or bound port, with its host bindings (null when unpublished). */
export function portsMap(exposed: readonly string[], published: readonly PublishedPort[]): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of exposed) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const p of published) {
    const key = `${p.containerPort}/${p.proto}`;
    const list = out[key] ?? [];
    list.push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    out[key] = list;
  }
  return out;
}

/** The list summary's Ports, as `docker ps` renders them ("0.0.0.0:4000->80/tcp"). */
export function summaryPorts(exposed: readonly string[], published: readonly PublishedPort[]): Record<string, string | number>[] {
  const out: Record<string, string | number>[] = published.map((p) => ({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto }));
  for (const key of exposed) {
    const [port = '', proto = 'tcp'] = key.split('/');
    if (published.some((p) => String(p.containerPort) === port && p.proto === proto)) continue;
    out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}
