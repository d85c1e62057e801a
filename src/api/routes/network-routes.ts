import { invalidParameter } from '../../base/engine-error.js';
import type { NetworkManager } from '../../network/network-manager.js';
import type { NetworkRecord } from '../../network/network-store.js';
import { checkFilterKeys, parseFilters } from '../query.js';
import { readJsonBody, sendEmpty, sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface NetworkRouteDeps {
  networks: NetworkManager;
  /** Container names for the Containers section of inspect. */
  containerName(id: string): string;
}

interface CreateBody {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  CheckDuplicate?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; Gateway?: string; IPRange?: string }[] | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

const param = (ctx: RequestContext, name: string): string => ctx.params[name] ?? '';
const builtin = new Set(['bridge', 'host', 'none']);

/** Docker's network inspect / list shape. */
export function networkShape(n: NetworkRecord, deps: NetworkRouteDeps): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  const prefix = n.subnet ? n.subnet.split('/')[1] : '';
  const prefix6 = n.subnet6 ? n.subnet6.split('/')[1] : '';
  for (const e of deps.networks.endpointsOn(n.id)) {
    containers[e.containerId] = {
      Name: deps.containerName(e.containerId),
      EndpointID: e.endpointId,
      MacAddress: e.mac,
      IPv4Address: `${e.ip}/${prefix}`,
      IPv6Address: e.ip6 ? `${e.ip6}/${prefix6}` : '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: n.enableIPv6 === true,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: [
        ...(n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : []),
        ...(n.subnet6 ? [{ Subnet: n.subnet6, Gateway: n.gateway6 ?? '' }] : []),
      ],
    },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}

function matchesLabel(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq === -1) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

export function networkRoutes(deps: NetworkRouteDeps): Route[] {
  const { networks } = deps;
  return [
    {
      method: 'GET',
      path: '/networks',
      handler: (ctx) => {
        const filters = parseFilters(ctx.query.get('filters'));
        checkFilterKeys(filters, ['name', 'id', 'driver', 'label', 'type', 'dangling']);
        const all = (k: string) => filters.get(k) ?? [];
        const list = networks.list().filter((n) => {
          if (all('name').length && !all('name').some((x) => n.name.includes(x))) return false;
          if (all('id').length && !all('id').some((x) => n.id.startsWith(x))) return false;
          if (all('driver').length && !all('driver').includes(n.driver)) return false;
          if (!all('label').every((l) => matchesLabel(n.labels, l))) return false;
          const type = all('type');
          if (type.length && !type.includes(builtin.has(n.name) ? 'builtin' : 'custom')) return false;
          return true;
        });
        sendJson(ctx, 200, list.map((n) => networkShape(n, deps)));
      },
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async (ctx) => {
        const body = (await readJsonBody<CreateBody>(ctx)) ?? {};
        const configs = body.IPAM?.Config ?? [];
        const v4 = configs.filter((c) => !(c.Subnet ?? '').includes(':'));
        if (v4.length > 1) throw invalidParameter('this engine supports one IPv4 subnet per network');
        const v6 = configs.filter((c) => (c.Subnet ?? '').includes(':'));
        if (v6.length > 1) throw invalidParameter("bridge driver doesn't support multiple subnets");
        const rec = networks.create({
          name: body.Name ?? '',
          driver: body.Driver,
          subnet: v4[0]?.Subnet,
          gateway: v4[0]?.Gateway,
          enableIPv6: body.EnableIPv6 === true,
          subnet6: v6[0]?.Subnet,
          gateway6: v6[0]?.Gateway,
          internal: body.Internal === true,
          labels: body.Labels ?? {},
          options: body.Options ?? {},
        });
        sendJson(ctx, 201, { Id: rec.id, Warning: '' });
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async (ctx) => {
        // Only the label filters are honoured; any other key is refused rather than ignored,
        // so a filtered prune never removes networks the filter meant to keep.
        const filters = parseFilters(ctx.query.get('filters'));
        checkFilterKeys(filters, ['label', 'label!']);
        const want = filters.get('label') ?? [];
        const notWant = filters.get('label!') ?? [];
        const selected = (labels: Record<string, string>) =>
          want.every((l) => matchesLabel(labels, l)) && !notWant.some((l) => matchesLabel(labels, l));
        sendJson(ctx, 200, { NetworksDeleted: await networks.prune((n) => selected(n.labels)) });
      },
    },
    {
      method: 'GET',
      path: '/networks/{id}',
      handler: (ctx) => sendJson(ctx, 200, networkShape(networks.resolve(param(ctx, 'id')), deps)),
    },
    {
      method: 'DELETE',
      path: '/networks/{id}',
      handler: async (ctx) => {
        await networks.remove(param(ctx, 'id'));
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/connect',
      handler: async (ctx) => {
        const body = (await readJsonBody<{ Container?: string; EndpointConfig?: { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string } | null } | null }>(ctx)) ?? {};
        if (!body.Container) throw invalidParameter('no container specified');
        await networks.connect(param(ctx, 'id'), body.Container, {
          aliases: body.EndpointConfig?.Aliases ?? [],
          ipv4: body.EndpointConfig?.IPAMConfig?.IPv4Address ?? '',
        });
        sendEmpty(ctx, 200);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/disconnect',
      handler: async (ctx) => {
        const body = (await readJsonBody<{ Container?: string; Force?: boolean }>(ctx)) ?? {};
        if (!body.Container) throw invalidParameter('no container specified');
        await networks.disconnect(param(ctx, 'id'), body.Container);
        sendEmpty(ctx, 200);
      },
    },
  ];
}
