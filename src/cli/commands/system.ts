import type { CommandContext, CommandDef } from '../command.js';
import { GoTemplate } from '../go-template.js';
import { GoObject, parseGoJson, type GoValue } from '../go-value.js';
import { CLIENT_API_VERSION } from '../../client/engine-client.js';

const SKIFF_VERSION = '0.1.0';

/** Go's time.ANSIC layout ("Wed Jan  1 00:00:00 2025") of an RFC 3339 time, or the text itself. */
function ansic(text: string): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function str(o: Record<string, unknown> | undefined, k: string): string {
  const v = o?.[k];
  return v === undefined || v === null ? '' : String(v);
}

function arch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

async function version(ctx: CommandContext, format: string): Promise<number> {
  const client = {
    Platform: { Name: '' }, Version: SKIFF_VERSION, ApiVersion: CLIENT_API_VERSION, DefaultAPIVersion: CLIENT_API_VERSION,
    GitCommit: '', GoVersion: `node${process.versions.node}`, Os: 'linux', Arch: arch(), BuildTime: '', Context: 'default',
  };
  const raw = await ctx.client().raw('GET', '/version');
  const server = JSON.parse(raw) as Record<string, unknown>;
  if (format !== '') {
    const clientObj = parseGoJson(JSON.stringify({ ...client, APIVersion: client.ApiVersion }));
    const data = new GoObject(new Map<string, GoValue>([['Client', clientObj], ['Server', parseGoJson(raw)]]));
    ctx.out(`${new GoTemplate(format).execute(data)}\n`);
    return 0;
  }
  const engine = (server['Components'] as { Name: string; Details?: Record<string, unknown> }[] | undefined)?.find((c) => c.Name === 'Engine');
  const d = engine?.Details ?? {};
  const lines = [
    'Client:',
    ` Version:           ${SKIFF_VERSION}`,
    ` API version:       ${CLIENT_API_VERSION}`,
    ` Node.js version:   ${process.versions.node}`,
    ` OS/Arch:           linux/${arch()}`,
    ` Context:           default`,
    '',
    `Server:${server['Platform'] ? ` ${str(server['Platform'] as Record<string, unknown>, 'Name')}` : ''}`,
    ' Engine:',
    `  Version:          ${str(server, 'Version')}`,
    `  API version:      ${str(d, 'ApiVersion') || str(server, 'ApiVersion')} (minimum version ${str(d, 'MinAPIVersion') || str(server, 'MinAPIVersion')})`,
    `  Go version:       ${str(d, 'GoVersion') || str(server, 'GoVersion')}`,
    `  Git commit:       ${str(d, 'GitCommit') || str(server, 'GitCommit')}`,
    `  Built:            ${ansic(str(d, 'BuildTime') || str(server, 'BuildTime'))}`,
    `  OS/Arch:          ${str(d, 'Os') || str(server, 'Os')}/${str(d, 'Arch') || str(server, 'Arch')}`,
    `  Experimental:     ${str(d, 'Experimental') || 'false'}`,
  ];
  ctx.out(`${lines.join('\n')}\n`);
  return 0;
}

/** Binary units as docker's info shows memory: 7.451GiB. */
function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let s = n;
  while (s >= 1024 && i < units.length - 1) {
    s /= 1024;
    i++;
  }
  return `${Number(s.toPrecision(4))}${units[i]}`;
}

async function info(ctx: CommandContext, format: string): Promise<number> {
  const raw = await ctx.client().raw('GET', '/info');
  if (format !== '') {
    ctx.out(`${new GoTemplate(format).execute(parseGoJson(raw))}\n`);
    return 0;
  }
  const i = JSON.parse(raw) as Record<string, unknown>;
  const plugins = (i['Plugins'] ?? {}) as Record<string, string[] | null>;
  const swarm = (i['Swarm'] ?? {}) as Record<string, unknown>;
  const reg = (i['RegistryConfig'] ?? {}) as { InsecureRegistryCIDRs?: string[] };
  const commit = (k: string) => str(i[k] as Record<string, unknown> | undefined, 'ID');
  const lines = [
    'Client:',
    ` Version:    ${SKIFF_VERSION}`,
    ' Context:    default',
    ' Debug Mode: false',
    '',
    'Server:',
    ` Containers: ${str(i, 'Containers') || '0'}`,
    `  Running: ${str(i, 'ContainersRunning') || '0'}`,
    `  Paused: ${str(i, 'ContainersPaused') || '0'}`,
    `  Stopped: ${str(i, 'ContainersStopped') || '0'}`,
    ` Images: ${str(i, 'Images') || '0'}`,
    ` Server Version: ${str(i, 'ServerVersion')}`,
    ` Storage Driver: ${str(i, 'Driver')}`,
    ...((i['DriverStatus'] as [string, string][] | null) ?? []).map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${str(i, 'LoggingDriver')}`,
    ` Cgroup Driver: ${str(i, 'CgroupDriver')}`,
    ` Cgroup Version: ${str(i, 'CgroupVersion')}`,
    ' Plugins:',
    `  Volume: ${(plugins['Volume'] ?? []).join(' ')}`,
    `  Network: ${(plugins['Network'] ?? []).join(' ')}`,
    `  Log: ${(plugins['Log'] ?? []).join(' ')}`,
    ` Swarm: ${str(swarm, 'LocalNodeState')}`,
    ` Runtimes: ${Object.keys((i['Runtimes'] ?? {}) as object).sort().join(' ')}`,
    ` Default Runtime: ${str(i, 'DefaultRuntime')}`,
    ` Init Binary: ${str(i, 'InitBinary')}`,
    ` containerd version: ${commit('ContainerdCommit')}`,
    ` runc version: ${commit('RuncCommit')}`,
    ` init version: ${commit('InitCommit')}`,
    ...securityOptions((i['SecurityOptions'] as string[] | null) ?? []),
    ` Kernel Version: ${str(i, 'KernelVersion')}`,
    ` Operating System: ${str(i, 'OperatingSystem')}`,
    ` OSType: ${str(i, 'OSType')}`,
    ` Architecture: ${str(i, 'Architecture')}`,
    ` CPUs: ${str(i, 'NCPU') || '0'}`,
    ` Total Memory: ${bytesSize(Number(i['MemTotal'] ?? 0))}`,
    ` Name: ${str(i, 'Name')}`,
    ` ID: ${str(i, 'ID')}`,
    ` Docker Root Dir: ${str(i, 'DockerRootDir')}`,
    ` Debug Mode: ${str(i, 'Debug') || 'false'}`,
    ` Experimental: ${str(i, 'ExperimentalBuild') || 'false'}`,
    ...((reg.InsecureRegistryCIDRs ?? []).length > 0 ? [' Insecure Registries:', ...(reg.InsecureRegistryCIDRs ?? []).map((c) => `  ${c}`)] : []),
    ` Live Restore Enabled: ${str(i, 'LiveRestoreEnabled') || 'false'}`,
    '',
  ];
  ctx.out(`${lines.join('\n')}\n`);
  for (const w of (i['Warnings'] as string[] | null) ?? []) ctx.err(`${w}\n`);
  return 0;
}

/** "name=seccomp,profile=builtin" → "  seccomp" + "   Profile: builtin", as docker info prints them. */
function securityOptions(opts: string[]): string[] {
  if (opts.length === 0) return [];
  const out = [' Security Options:'];
  for (const opt of opts) {
    for (const kv of opt.split(',')) {
      const [k = '', v = ''] = kv.split('=');
      if (k === 'name') out.push(`  ${v}`);
      else out.push(`   ${k.charAt(0).toUpperCase()}${k.slice(1)}: ${v}`);
    }
  }
  return out;
}

const formatFlag = [{ name: 'format', short: 'f', type: 'string' as const }];

export const versionCommand: CommandDef = {
  name: 'version', usage: 'version [OPTIONS]', flags: formatFlag, args: { max: 0 }, run: (ctx, f) => version(ctx, f.string('format')),
};
export const infoCommand: CommandDef = {
  name: 'info', usage: 'info [OPTIONS]', flags: formatFlag, args: { max: 0 }, run: (ctx, f) => info(ctx, f.string('format')),
};
