import { conflict, invalidParameter } from '../base/engine-error.js';
import { cidrContains, cidrOverlaps, cidrSize, formatIPv4, parseCidr, parseIPv4, type Cidr } from './ipv4.js';

/**
 * Where skiff's networks get their subnets: /16s in 10.210–10.250 first (clear of docker0's
 * 172.17.0.0/16 and Docker's own 172.18+ pool), then /20s of 192.168.0.0/16.
 */
export function defaultSubnetPool(): Cidr[] {
  const pool: Cidr[] = [];
  for (let b = 210; b <= 250; b++) pool.push(parseCidr(`10.${b}.0.0/16`));
  for (let c = 0; c < 256; c += 16) pool.push(parseCidr(`192.168.${c}.0/20`));
  return pool;
}

/** docker0's subnet, avoided even when Docker is not running so the two engines can coexist. */
const dockerDefault = parseCidr('172.17.0.0/16');

/** The first pool subnet that overlaps no host route and no existing network. */
export function pickSubnet(pool: readonly Cidr[], taken: readonly Cidr[]): Cidr {
  const avoid = [...taken, dockerDefault];
  const free = pool.find((c) => !avoid.some((t) => cidrOverlaps(c, t)));
  if (!free) throw new Error('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  return free;
}

/** The gateway Docker picks: the first host address. */
export function defaultGateway(subnet: Cidr): number {
  return subnet.base + 1;
}

/** Validates a user-given subnet/gateway pair (network create --subnet/--gateway). */
export function checkSubnet(subnet: string, gateway: string | undefined, taken: readonly Cidr[]): { subnet: Cidr; gateway: number } {
  const c = parseCidr(subnet);
  if (c.prefix > 30) throw invalidParameter(`subnet ${subnet} is too small`);
  const clash = taken.find((t) => cidrOverlaps(c, t));
  if (clash) throw conflict('Pool overlaps with other one on this address space');
  let gw = defaultGateway(c);
  if (gateway) {
    const g = parseIPv4(gateway);
    if (g === undefined) throw invalidParameter(`invalid gateway address ${gateway}`);
    if (!cidrContains(c, g)) throw invalidParameter(`no matching subnet for gateway ${gateway}`);
    gw = g;
  }
  return { subnet: c, gateway: gw };
}

/**
 * The lowest free host address of the subnet: never the network address, the broadcast
 * address or the gateway. `requested` must be free and inside the subnet.
 */
export function allocateAddress(subnet: Cidr, gateway: number, used: ReadonlySet<number>, requested?: string): number {
  const first = subnet.base + 1;
  const last = subnet.base + cidrSize(subnet) - 2;
  if (requested) {
    const ip = parseIPv4(requested);
    if (ip === undefined) throw invalidParameter(`invalid IPv4 address: ${requested}`);
    if (ip < first || ip > last) throw invalidParameter(`no configured subnet contains IP address ${requested}`);
    if (ip === gateway || used.has(ip)) throw conflict(`Address already in use`);
    return ip;
  }
  for (let ip = first; ip <= last; ip++) {
    if (ip !== gateway && !used.has(ip)) return ip;
  }
  throw new Error(`no available IPv4 addresses on this network's address pools: ${formatIPv4(subnet.base)}/${subnet.prefix}`);
}

/** Docker's MAC: 02:42 and the four bytes of the IPv4 address, unique per network and stable. */
export function macForAddress(ip: number): string {
  const bytes = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
