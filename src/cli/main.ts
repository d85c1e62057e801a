import type { CommandContext, CommandDef } from './command.js';

/**
 * The `skiff` entry point. Global flags, then a command name (one or two words); each command's
 * module is imported only when used so start-up stays close to bare node.
 */
type Loader = () => Promise<CommandDef>;

const pick = (mod: Promise<Record<string, unknown>>, key: string): Promise<CommandDef> => mod.then((m) => m[key] as CommandDef);

const TOP: Record<string, Loader> = {
  run: () => pick(import('./commands/run.js'), 'runCommand'),
  create: () => pick(import('./commands/run.js'), 'createCommand'),
  start: () => pick(import('./commands/start.js'), 'startCommand'),
  attach: () => pick(import('./commands/start.js'), 'attachCommand'),
  ps: () => pick(import('./commands/ps.js'), 'psCommand'),
  images: () => pick(import('./commands/images.js'), 'imagesCommand'),
  import: () => pick(import('./commands/import.js'), 'importCommand'),
  inspect: () => pick(import('./commands/inspect.js'), 'inspectCommand'),
  logs: () => pick(import('./commands/logs.js'), 'logsCommand'),
  stop: () => pick(import('./commands/lifecycle.js'), 'stopCommand'),
  kill: () => pick(import('./commands/lifecycle.js'), 'killCommand'),
  rm: () => pick(import('./commands/lifecycle.js'), 'rmCommand'),
  rename: () => pick(import('./commands/lifecycle.js'), 'renameCommand'),
  wait: () => pick(import('./commands/lifecycle.js'), 'waitCommand'),
  rmi: () => pick(import('./commands/image-ops.js'), 'rmiCommand'),
  tag: () => pick(import('./commands/image-ops.js'), 'tagCommand'),
  history: () => pick(import('./commands/image-ops.js'), 'historyCommand'),
  version: () => pick(import('./commands/system.js'), 'versionCommand'),
  port: () => pick(import('./commands/port.js'), 'portCommand'),
  info: () => pick(import('./commands/system.js'), 'infoCommand'),
  stats: () => pick(import('./commands/stats.js'), 'statsCommand'),
  top: () => pick(import('./commands/top.js'), 'topCommand'),
  build: () => pick(import('./commands/build.js'), 'buildCommand'),
  commit: () => pick(import('./commands/commit.js'), 'commitCommand'),
  diff: () => pick(import('./commands/diff.js'), 'diffCommand'),
  events: () => pick(import('./commands/events.js'), 'eventsCommand'),
  pause: () => pick(import('./commands/pause.js'), 'pauseCommand'),
  unpause: () => pick(import('./commands/pause.js'), 'unpauseCommand'),
  update: () => pick(import('./commands/update.js'), 'updateCommand'),
  restart: () => pick(import('./commands/restart.js'), 'restartCommand'),
  login: () => pick(import('./commands/login.js'), 'loginCommand'),
  logout: () => pick(import('./commands/logout.js'), 'logoutCommand'),
  push: () => pick(import('./commands/push.js'), 'pushCommand'),
  pull: () => pick(import('./commands/pull.js'), 'pullCommand'),
  exec: () => pick(import('./commands/exec.js'), 'execCommand'),
  cp: () => pick(import('./commands/cp.js'), 'cpCommand'),
  export: () => pick(import('./commands/export.js'), 'exportCommand'),
  save: () => pick(import('./commands/save.js'), 'saveCommand'),
  load: () => pick(import('./commands/load.js'), 'loadCommand'),
};

const GROUPS: Record<string, Record<string, Loader>> = {
  container: {
    run: TOP['run'] as Loader,
    create: TOP['create'] as Loader,
    start: TOP['start'] as Loader,
    attach: TOP['attach'] as Loader,
    ls: () => pick(import('./commands/ps.js'), 'containerLsCommand'),
    ps: () => pick(import('./commands/ps.js'), 'containerLsCommand'),
    list: () => pick(import('./commands/ps.js'), 'containerLsCommand'),
    inspect: () => pick(import('./commands/inspect.js'), 'containerInspectCommand'),
    logs: TOP['logs'] as Loader,
    stop: TOP['stop'] as Loader,
    kill: TOP['kill'] as Loader,
    rm: TOP['rm'] as Loader,
    remove: TOP['rm'] as Loader,
    rename: TOP['rename'] as Loader,
    wait: TOP['wait'] as Loader,
    prune: () => pick(import('./commands/prune.js'), 'containerPruneCommand'),
    stats: () => pick(import('./commands/stats.js'), 'containerStatsCommand'),
    top: () => pick(import('./commands/top.js'), 'containerTopCommand'),
    exec: TOP['exec'] as Loader,
    cp: TOP['cp'] as Loader,
    export: TOP['export'] as Loader,
    pause: TOP['pause'] as Loader,
    unpause: TOP['unpause'] as Loader,
    update: TOP['update'] as Loader,
    restart: TOP['restart'] as Loader,
    diff: TOP['diff'] as Loader,
    commit: TOP['commit'] as Loader,
  },
  network: {
    create: () => pick(import('./commands/network.js'), 'networkCreateCommand'),
    ls: () => pick(import('./commands/network.js'), 'networkLsCommand'),
    list: () => pick(import('./commands/network.js'), 'networkLsCommand'),
    inspect: () => pick(import('./commands/network.js'), 'networkInspectCommand'),
    rm: () => pick(import('./commands/network.js'), 'networkRmCommand'),
    remove: () => pick(import('./commands/network.js'), 'networkRmCommand'),
    prune: () => pick(import('./commands/network.js'), 'networkPruneCommand'),
    connect: () => pick(import('./commands/network.js'), 'networkConnectCommand'),
    disconnect: () => pick(import('./commands/network.js'), 'networkDisconnectCommand'),
  },
  volume: {
    create: () => pick(import('./commands/volume.js'), 'volumeCreateCommand'),
    ls: () => pick(import('./commands/volume.js'), 'volumeLsCommand'),
    list: () => pick(import('./commands/volume.js'), 'volumeLsCommand'),
    inspect: () => pick(import('./commands/volume.js'), 'volumeInspectCommand'),
    rm: () => pick(import('./commands/volume.js'), 'volumeRmCommand'),
    remove: () => pick(import('./commands/volume.js'), 'volumeRmCommand'),
    prune: () => pick(import('./commands/volume.js'), 'volumePruneCommand'),
  },
  registry: {
    serve: () => pick(import('./commands/registry.js'), 'registryServeCommand'),
    gc: () => pick(import('./commands/registry.js'), 'registryGcCommand'),
  },
  system: {
    info: TOP['info'] as Loader,
    events: TOP['events'] as Loader,
  },
  image: {
    ls: () => pick(import('./commands/images.js'), 'imageLsCommand'),
    list: () => pick(import('./commands/images.js'), 'imageLsCommand'),
    import: TOP['import'] as Loader,
    inspect: () => pick(import('./commands/inspect.js'), 'imageInspectCommand'),
    rm: TOP['rmi'] as Loader,
    remove: TOP['rmi'] as Loader,
    tag: TOP['tag'] as Loader,
    history: TOP['history'] as Loader,
    push: TOP['push'] as Loader,
    save: TOP['save'] as Loader,
    load: TOP['load'] as Loader,
    pull: TOP['pull'] as Loader,
  },
};

const MAIN_USAGE = `
Usage:  skiff [OPTIONS] COMMAND

A Docker-compatible container engine client

Options:
  -H, --host string   Daemon socket to connect to (unix:///path)
  -v, --version       Print version information and quit

Commands:
  run, create, start, attach, exec, ps, logs, stop, kill, rm, rename, wait, inspect, stats, top,
  restart, pause, unpause, update, events, images, import, rmi, tag, history,
  build, commit, diff, cp, export, save, load, login, logout, push, pull, version, info
  container COMMAND, image COMMAND, volume COMMAND, registry serve|gc, system info

Run 'skiff COMMAND --help' for more information on a command.
`;

export async function main(argv: string[]): Promise<number> {
  let host: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-H' || a === '--host') {
      if (i + 1 >= argv.length) return usageError(`flag needs an argument: ${a === '-H' ? "'H' in -H" : '--host'}`);
      host = argv[++i];
    } else if (a.startsWith('--host=')) host = a.slice('--host='.length);
    else if (a.startsWith('-H') && a.length > 2) host = a.slice(2).replace(/^=/, '');
    else if (a === '-v' || a === '--version') {
      process.stdout.write('Skiff version 0.1.0\n');
      return 0;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(MAIN_USAGE);
      return 0;
    } else if (a === '-D' || a === '--debug') continue;
    else if (a.startsWith('-')) return usageError(`unknown flag: ${a.startsWith('--') ? a.replace(/=.*/, '') : `'${a[1] ?? ''}' in ${a}`}`);
    else break;
  }
  const name = argv[i];
  if (name === undefined) {
    process.stdout.write(MAIN_USAGE);
    return 0;
  }
  let loader: Loader | undefined = TOP[name];
  let rest = argv.slice(i + 1);
  const group = GROUPS[name];
  if (group !== undefined) {
    const sub = rest[0];
    if (sub === undefined || sub === '--help') {
      process.stdout.write(`\nUsage:  skiff ${name} COMMAND\n\nCommands:\n${Object.keys(group).map((k) => `  ${k}`).join('\n')}\n`);
      return 0;
    }
    loader = group[sub];
    if (loader === undefined) {
      process.stderr.write(`skiff: unknown command: skiff ${name} ${sub}\n\nRun 'skiff ${name} --help' for more information\n`);
      return 1;
    }
    rest = rest.slice(1);
  }
  if (loader === undefined) {
    process.stderr.write(`skiff: unknown command: skiff ${name}\n\nRun 'skiff --help' for more information\n`);
    return 1;
  }
  const [def, { runCommand }] = await Promise.all([loader(), import('./run-command.js')]);
  return runCommand(def, rest, makeContext(host));
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n\nUsage:  skiff [OPTIONS] COMMAND\n\nRun 'skiff --help' for more information\n`);
  return 125;
}

function makeContext(hostFlag: string | undefined): CommandContext {
  let client: ReturnType<CommandContext['client']> | undefined;
  let clientModule: typeof import('./client-factory.js') | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    client() {
      if (client === undefined) {
        clientModule ??= clientFactory;
        if (clientModule === undefined) throw new Error('client factory not loaded');
        client = clientModule.createClient(hostFlag, process.env);
      }
      return client;
    },
  };
}

let clientFactory: typeof import('./client-factory.js') | undefined;

/** Loads the client module up front (it is needed by every command that reaches here). */
export async function run(argv: string[]): Promise<void> {
  clientFactory = await import('./client-factory.js');
  const code = await main(argv);
  process.exitCode = code;
}
