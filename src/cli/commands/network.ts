import { daemonErrorText, forEachRef, StatusError, type CommandDef } from '../command.js';
import { filtersJson } from '../format-list.js';
import { tabwrite } from '../tabwriter.js';

/** `skiff network …`: create, ls, inspect, rm, prune, connect, disconnect, as docker prints them. */


function labelsOf(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq === -1) out[l] = '';
    else out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

export const networkCreateCommand: CommandDef = {
  name: 'network create',
  usage: 'network create [OPTIONS] NETWORK',
  flags: [
    { name: 'driver', short: 'd', type: 'string' },
    { name: 'subnet', type: 'list' },
    { name: 'gateway', type: 'list' },
    { name: 'internal', type: 'bool' },
    { name: 'ipv6', type: 'bool' },
    { name: 'label', type: 'list' },
    { name: 'opt', short: 'o', type: 'list' },
    { name: 'attachable', type: 'bool' },
  ],
  args: { min: 1, max: 1 },
  run: async (ctx, f) => {
    const subnets = f.list('subnet');
    const gateways = f.list('gateway');
    const config = subnets.map((s, i) => ({ Subnet: s, ...(gateways[i] ? { Gateway: gateways[i] } : {}) }));
    const r = await ctx.client().json<{ Id: string }>('POST', '/networks/create', {
      body: {
        Name: f.args[0],
        Driver: f.string('driver') || 'bridge',
        Internal: f.bool('internal'),
        EnableIPv6: f.bool('ipv6'),
        IPAM: { Driver: 'default', Config: config },
        Options: labelsOf(f.list('opt')),
        Labels: labelsOf(f.list('label')),
      },
    });
    ctx.out(`${r.Id}\n`);
    return 0;
  },
};

interface NetworkSummary {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
}

export const networkLsCommand: CommandDef = {
  name: 'network ls',
  usage: 'network ls [OPTIONS]',
  flags: [
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'filter', short: 'f', type: 'list' },
    { name: 'no-trunc', type: 'bool' },
    { name: 'format', type: 'string' },
  ],
  args: { max: 0 },
  run: async (ctx, f) => {
    const list = await ctx.client().json<NetworkSummary[]>('GET', '/networks', { query: { filters: filtersJson(f.list('filter')) } });
    list.sort((a, b) => a.Name.localeCompare(b.Name));
    const id = (n: NetworkSummary) => (f.bool('no-trunc') ? n.Id : n.Id.slice(0, 12));
    if (f.bool('quiet')) {
      ctx.out(list.map((n) => `${id(n)}\n`).join(''));
      return 0;
    }
    const rows = list.map((n) => `${id(n)}\t${n.Name}\t${n.Driver}\t${n.Scope}\n`);
    ctx.out(tabwrite(`NETWORK ID\tNAME\tDRIVER\tSCOPE\n${rows.join('')}`));
    return 0;
  },
};

export const networkInspectCommand: CommandDef = {
  name: 'network inspect',
  usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]',
  flags: [
    { name: 'format', short: 'f', type: 'string' },
    { name: 'verbose', short: 'v', type: 'bool' },
  ],
  args: { min: 1 },
  run: async (ctx, f) => {
    const found: unknown[] = [];
    const errors: string[] = [];
    for (const ref of f.args) {
      try {
        found.push(await ctx.client().json('GET', `/networks/${encodeURIComponent(ref)}`));
      } catch (e) {
        errors.push(daemonErrorText(e));
      }
    }
    ctx.out(`${JSON.stringify(found, null, 4)}\n`);
    if (errors.length) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};


export const networkRmCommand: CommandDef = {
  name: 'network rm',
  usage: 'network rm NETWORK [NETWORK...]',
  flags: [{ name: 'force', short: 'f', type: 'bool' }],
  args: { min: 1 },
  run: (ctx, f) => forEachRef(ctx, f.args, (ref) => ctx.client().exec('DELETE', `/networks/${encodeURIComponent(ref)}`).then(() => undefined)),
};

export const networkPruneCommand: CommandDef = {
  name: 'network prune',
  usage: 'network prune [OPTIONS]',
  flags: [
    { name: 'force', short: 'f', type: 'bool' },
    { name: 'filter', type: 'list' },
  ],
  args: { max: 0 },
  run: async (ctx, f) => {
    if (!f.bool('force')) throw new StatusError(1, 'network prune needs --force when not interactive');
    const r = await ctx.client().json<{ NetworksDeleted?: string[] | null }>('POST', '/networks/prune', {
      query: { filters: filtersJson(f.list('filter')) },
    });
    const deleted = r.NetworksDeleted ?? [];
    if (deleted.length) ctx.out(`Deleted Networks:\n${deleted.map((d) => `${d}\n`).join('')}`);
    return 0;
  },
};

export const networkConnectCommand: CommandDef = {
  name: 'network connect',
  usage: 'network connect [OPTIONS] NETWORK CONTAINER',
  flags: [
    { name: 'alias', type: 'list' },
    { name: 'ip', type: 'string' },
  ],
  args: { min: 2, max: 2 },
  run: async (ctx, f) => {
    const [net = '', container = ''] = f.args;
    const ip = f.string('ip');
    await ctx.client().exec('POST', `/networks/${encodeURIComponent(net)}/connect`, {
      body: { Container: container, EndpointConfig: { Aliases: f.list('alias'), IPAMConfig: ip ? { IPv4Address: ip } : null } },
    });
    return 0;
  },
};

export const networkDisconnectCommand: CommandDef = {
  name: 'network disconnect',
  usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
  flags: [{ name: 'force', short: 'f', type: 'bool' }],
  args: { min: 2, max: 2 },
  run: async (ctx, f) => {
    const [net = '', container = ''] = f.args;
    await ctx.client().exec('POST', `/networks/${encodeURIComponent(net)}/disconnect`, { body: { Container: container, Force: f.bool('force') } });
    return 0;
  },
};
