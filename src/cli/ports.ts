/** `-p` parsing (docker's nat.ParsePortSpecs) into ExposedPorts and PortBindings. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface ParsedPorts {
  exposed: Map<string, Record<string, never>>;
  bindings: Map<string, PortBinding[]>;
}

function parseRange(s: string, what: string, spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (m === null) throw new Error(`invalid ${what}: ${s}${spec === s ? '' : ` (in ${spec})`}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535 || b < a) throw new Error(`invalid ${what}: ${s}`);
  return [a, b];
}

export function parsePortSpecs(specs: string[], expose: string[] = []): ParsedPorts {
  const exposed = new Map<string, Record<string, never>>();
  const bindings = new Map<string, PortBinding[]>();
  for (const spec of specs) {
    let body = spec;
    let proto = 'tcp';
    const slash = body.lastIndexOf('/');
    if (slash >= 0) {
      proto = body.slice(slash + 1).toLowerCase();
      body = body.slice(0, slash);
      if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
    }
    let ip = '';
    if (body.startsWith('[')) {
      const close = body.indexOf(']');
      ip = body.slice(1, close);
      body = body.slice(close + 2);
    }
    const parts = body.split(':');
    let hostPart = '';
    let containerPart: string;
    if (parts.length === 1) containerPart = parts[0] ?? '';
    else if (parts.length === 2) [hostPart = '', containerPart = ''] = parts;
    else if (parts.length === 3 && ip === '') [ip = '', hostPart = '', containerPart = ''] = parts;
    else {
      // an IPv6 address without brackets: everything before the last two parts
      containerPart = parts.pop() ?? '';
      hostPart = parts.pop() ?? '';
      ip = parts.join(':');
    }
    if (containerPart === '') throw new Error(`no port specified: ${spec}<empty>`);
    const [cStart, cEnd] = parseRange(containerPart, 'containerPort', spec);
    let hStart = 0;
    let hEnd = 0;
    if (hostPart !== '') [hStart, hEnd] = parseRange(hostPart, 'hostPort', spec);
    if (hostPart !== '' && cEnd - cStart !== hEnd - hStart && cEnd !== cStart) {
      throw new Error(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
    }
    for (let i = 0; i <= cEnd - cStart; i++) {
      const key = `${cStart + i}/${proto}`;
      let hostPort = '';
      if (hostPart !== '') hostPort = hEnd !== hStart && cEnd === cStart ? hostPart : String(hStart + i);
      exposed.set(key, {});
      const list = bindings.get(key) ?? [];
      list.push({ HostIp: ip, HostPort: hostPort });
      bindings.set(key, list);
    }
  }
  for (const e of expose) {
    let body = e;
    let proto = 'tcp';
    const slash = body.lastIndexOf('/');
    if (slash >= 0) {
      proto = body.slice(slash + 1);
      body = body.slice(0, slash);
    }
    const [a, b] = parseRange(body, 'range format for --expose', e);
    for (let p = a; p <= b; p++) exposed.set(`${p}/${proto}`, {});
  }
  return { exposed, bindings };
}

/** Go marshals maps with sorted keys; do the same so bodies match docker's byte for byte. */
export function sortedRecord<T>(m: Map<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k) as T;
  return out;
}
