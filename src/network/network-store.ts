import type Database from 'better-sqlite3';
import type { PublishedPort } from './port-bindings.js';

export interface NetworkRecord {
  id: string;
  name: string;
  /** "bridge", "host" or "null". */
  driver: string;
  /** "" for host and null networks. */
  subnet: string;
  gateway: string;
  bridge: string;
  internal: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  created: string;
  /** The IPv6 subnet ("fd00:1::/64") and gateway, "" when none. */
  subnet6?: string;
  gateway6?: string;
  /** EnableIPv6: containers get v6 addresses only then (a v6 subnet alone is only listed). */
  enableIPv6?: boolean;
}

/** A container's lease on one network, held while it runs. */
export interface EndpointRecord {
  containerId: string;
  networkId: string;
  endpointId: string;
  ip: string;
  mac: string;
  veth: string;
  ifname: string;
  aliases: string[];
  ports: PublishedPort[];
  /** The container's IPv6 address on a network with IPv6, "" otherwise. */
  ip6?: string;
}

/** A network a container joined with `network connect` (or left with disconnect) beyond its create-time ones. */
export interface AttachmentRecord {
  containerId: string;
  networkId: string;
  aliases: string[];
  ipv4: string;
  connected: boolean;
}

interface NetworkRow {
  id: string;
  name: string;
  driver: string;
  subnet: string;
  gateway: string;
  bridge: string;
  internal: number;
  labels: string;
  options: string;
  created: string;
  subnet6: string;
  gateway6: string;
  ipv6: number;
}

interface EndpointRow {
  container_id: string;
  network_id: string;
  endpoint_id: string;
  ip: string;
  mac: string;
  veth: string;
  ifname: string;
  aliases: string;
  ports: string;
  ip6: string;
}

interface AttachmentRow {
  container_id: string;
  network_id: string;
  aliases: string;
  ipv4: string;
  connected: number;
}

const toNetwork = (r: NetworkRow): NetworkRecord => ({
  id: r.id,
  name: r.name,
  driver: r.driver,
  subnet: r.subnet,
  gateway: r.gateway,
  bridge: r.bridge,
  internal: r.internal === 1,
  labels: JSON.parse(r.labels) as Record<string, string>,
  options: JSON.parse(r.options) as Record<string, string>,
  created: r.created,
  subnet6: r.subnet6,
  gateway6: r.gateway6,
  enableIPv6: r.ipv6 === 1,
});

const toEndpoint = (r: EndpointRow): EndpointRecord => ({
  containerId: r.container_id,
  networkId: r.network_id,
  endpointId: r.endpoint_id,
  ip: r.ip,
  mac: r.mac,
  veth: r.veth,
  ifname: r.ifname,
  aliases: JSON.parse(r.aliases) as string[],
  ports: JSON.parse(r.ports) as PublishedPort[],
  ip6: r.ip6,
});

/** Networks, leases (endpoints) and connect/disconnect choices, in the daemon's SQLite database. */
export class NetworkStore {
  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS networks (
        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, subnet TEXT NOT NULL,
        gateway TEXT NOT NULL, bridge TEXT NOT NULL, internal INTEGER NOT NULL, labels TEXT NOT NULL,
        options TEXT NOT NULL, created TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS net_endpoints (
        container_id TEXT NOT NULL, network_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, ip TEXT NOT NULL,
        mac TEXT NOT NULL, veth TEXT NOT NULL, ifname TEXT NOT NULL, aliases TEXT NOT NULL, ports TEXT NOT NULL,
        PRIMARY KEY (container_id, network_id), UNIQUE (network_id, ip));
      CREATE TABLE IF NOT EXISTS net_attachments (
        container_id TEXT NOT NULL, network_id TEXT NOT NULL, aliases TEXT NOT NULL, ipv4 TEXT NOT NULL,
        connected INTEGER NOT NULL, PRIMARY KEY (container_id, network_id));
    `);
    // IPv6 columns, added in place to databases made before them (ADD COLUMN appends).
    const has = (table: string, col: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === col);
    for (const [table, col, type] of [
      ['networks', 'subnet6', "TEXT NOT NULL DEFAULT ''"],
      ['networks', 'gateway6', "TEXT NOT NULL DEFAULT ''"],
      ['networks', 'ipv6', 'INTEGER NOT NULL DEFAULT 0'],
      ['net_endpoints', 'ip6', "TEXT NOT NULL DEFAULT ''"],
    ] as const) {
      if (!has(table, col)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${col} ${type}`);
    }
  }

  networks(): NetworkRecord[] {
    return (this.db.prepare('SELECT * FROM networks ORDER BY created').all() as NetworkRow[]).map(toNetwork);
  }

  network(id: string): NetworkRecord | undefined {
    const row = this.db.prepare('SELECT * FROM networks WHERE id = ?').get(id) as NetworkRow | undefined;
    return row && toNetwork(row);
  }

  insertNetwork(n: NetworkRecord): void {
    this.db
      .prepare(
        'INSERT INTO networks (id, name, driver, subnet, gateway, bridge, internal, labels, options, created, subnet6, gateway6, ipv6) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        n.id, n.name, n.driver, n.subnet, n.gateway, n.bridge, n.internal ? 1 : 0, JSON.stringify(n.labels), JSON.stringify(n.options), n.created,
        n.subnet6 ?? '', n.gateway6 ?? '', n.enableIPv6 ? 1 : 0,
      );
  }

  deleteNetwork(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM net_attachments WHERE network_id = ?').run(id);
      this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
    })();
  }

  endpoints(): EndpointRecord[] {
    return (this.db.prepare('SELECT * FROM net_endpoints').all() as EndpointRow[]).map(toEndpoint);
  }

  endpointsOf(containerId: string): EndpointRecord[] {
    return (this.db.prepare('SELECT * FROM net_endpoints WHERE container_id = ?').all(containerId) as EndpointRow[]).map(toEndpoint);
  }

  insertEndpoint(e: EndpointRecord): void {
    this.db
      .prepare('INSERT INTO net_endpoints (container_id, network_id, endpoint_id, ip, mac, veth, ifname, aliases, ports, ip6) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.containerId, e.networkId, e.endpointId, e.ip, e.mac, e.veth, e.ifname, JSON.stringify(e.aliases), JSON.stringify(e.ports), e.ip6 ?? '');
  }

  deleteEndpoint(containerId: string, networkId: string): void {
    this.db.prepare('DELETE FROM net_endpoints WHERE container_id = ? AND network_id = ?').run(containerId, networkId);
  }

  attachments(containerId: string): AttachmentRecord[] {
    const rows = this.db.prepare('SELECT * FROM net_attachments WHERE container_id = ?').all(containerId) as AttachmentRow[];
    return rows.map((r) => ({
      containerId: r.container_id,
      networkId: r.network_id,
      aliases: JSON.parse(r.aliases) as string[],
      ipv4: r.ipv4,
      connected: r.connected === 1,
    }));
  }

  attachmentCount(networkId: string): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM net_attachments WHERE network_id = ? AND connected = 1').get(networkId) as { n: number };
    return row.n;
  }

  saveAttachment(a: AttachmentRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO net_attachments VALUES (?, ?, ?, ?, ?)')
      .run(a.containerId, a.networkId, JSON.stringify(a.aliases), a.ipv4, a.connected ? 1 : 0);
  }

  forgetContainer(containerId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM net_attachments WHERE container_id = ?').run(containerId);
      this.db.prepare('DELETE FROM net_endpoints WHERE container_id = ?').run(containerId);
    })();
  }
}
