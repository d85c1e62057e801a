import { StatusError, type CommandDef } from '../command.js';

type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** The lines `docker port` prints: "80/tcp -> 0.0.0.0:4000", optionally for one PRIVATE_PORT[/PROTO]. */
export function portLines(ports: PortMap, want?: string): string[] {
  const keys = Object.keys(ports).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
  const filterKey = want === undefined ? undefined : want.includes('/') ? want : `${want}/tcp`;
  const lines: string[] = [];
  for (const key of keys) {
    if (filterKey !== undefined && key !== filterKey) continue;
    for (const b of ports[key] ?? []) {
      const addr = b.HostIp.includes(':') ? `[${b.HostIp}]:${b.HostPort}` : `${b.HostIp}:${b.HostPort}`;
      lines.push(filterKey !== undefined ? addr : `${key} -> ${addr}`);
    }
  }
  return lines;
}

export const portCommand: CommandDef = {
  name: 'port',
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  flags: [],
  args: { min: 1, max: 2 },
  run: async (ctx, f) => {
    const [ref = '', want] = f.args;
    const info = await ctx.client().json<{ NetworkSettings?: { Ports?: PortMap | null } }>('GET', `/containers/${encodeURIComponent(ref)}/json`);
    const lines = portLines(info.NetworkSettings?.Ports ?? {}, want);
    if (want !== undefined && lines.length === 0) {
      throw new StatusError(1, `Error: No public port '${want.includes('/') ? want : `${want}/tcp`}' published for ${ref}`);
    }
    ctx.out(lines.map((l) => `${l}\n`).join(''));
    return 0;
  },
};
