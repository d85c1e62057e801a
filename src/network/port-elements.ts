import type { PublishedPort } from './port-bindings.js';

/** One entry of skiff's nft port maps: a published port and where it leads. */
export type PortElement = PublishedPort & { containerIp: string };

/** What changes in the maps between two states; computed by diffPortElements. */
export interface PortElementDelta {
  add: PortElement[];
  del: PortElement[];
}

const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';
/** IPv6 elements (to a container's v6 address) live in skiff's ip6 table, under the same map names. */
const isV6 = (p: PortElement) => p.containerIp.includes(':');

/** The map key as nft sees it (one element per family, host address, proto and port). */
export function portElementKey(p: PortElement): string {
  const addr = anyAddress(p.hostIp) ? '*' : p.hostIp;
  return `${isV6(p) ? `[${addr}]` : addr}/${p.proto}/${p.hostPort}`;
}

/** Keyed by portElementKey; a key whose target changed is deleted and added again. */
export function diffPortElements(applied: ReadonlyMap<string, PortElement>, wanted: ReadonlyMap<string, PortElement>): PortElementDelta {
  const add: PortElement[] = [];
  const del: PortElement[] = [];
  for (const [k, p] of applied) {
    const w = wanted.get(k);
    if (!w || w.containerIp !== p.containerIp || w.containerPort !== p.containerPort) del.push(p);
  }
  for (const [k, w] of wanted) {
    const p = applied.get(k);
    if (!p || w.containerIp !== p.containerIp || w.containerPort !== p.containerPort) add.push(w);
  }
  return { add, del };
}

export function isEmptyDelta(d: PortElementDelta): boolean {
  return d.add.length === 0 && d.del.length === 0;
}

/** skiff-netsetup `elem` lines; deletions first so a changed key is replaced in one transaction. */
export function portElementLines(table: string, d: PortElementDelta): string[] {
  const key = (p: PortElement) => {
    const six = isV6(p) ? '6' : '';
    return anyAddress(p.hostIp) ? `any${six} ${p.proto} ${p.hostPort}` : `ip${six} ${p.hostIp} ${p.proto} ${p.hostPort}`;
  };
  return [
    ...d.del.map((p) => `elem del ${table} ${key(p)}`),
    ...d.add.map((p) => `elem add ${table} ${key(p)} ${p.containerIp} ${p.containerPort}`),
  ];
}

/** The same change as an nft script (the fallback when the helper is missing): one transaction. */
export function portElementScript(table: string, d: PortElementDelta): string {
  const map = (p: PortElement) => (anyAddress(p.hostIp) ? 'ports_any' : 'ports_ip');
  const family = (p: PortElement) => (isV6(p) ? 'ip6' : 'ip');
  const key = (p: PortElement) => (anyAddress(p.hostIp) ? `${p.proto} . ${p.hostPort}` : `${p.hostIp} . ${p.proto} . ${p.hostPort}`);
  const lines = [
    ...d.del.map((p) => `delete element ${family(p)} ${table} ${map(p)} { ${key(p)} }`),
    ...d.add.map((p) => `add element ${family(p)} ${table} ${map(p)} { ${key(p)} : ${p.containerIp} . ${p.containerPort} }`),
  ];
  return lines.length ? lines.join('\n') + '\n' : '';
}
