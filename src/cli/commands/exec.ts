import { readFileSync } from 'node:fs';
import { consoleSize, pipeHijacked, watchTerminalSize } from '../attach-io.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

interface ContainerInfo {
  Id: string;
  State?: { Running?: boolean; Paused?: boolean; Restarting?: boolean };
}

/** --env-file: KEY=VALUE lines; a bare KEY takes the variable from our own environment; # comments. */
function envFile(path: string, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('=')) out.push(line);
    else if (env[line.trim()] !== undefined) out.push(`${line.trim()}=${env[line.trim()]}`);
  }
  return out;
}

function bareEnv(list: string[], env: NodeJS.ProcessEnv): string[] {
  return list.flatMap((e) => (e.includes('=') ? [e] : env[e] !== undefined ? [`${e}=${env[e]}`] : []));
}

async function exec(ctx: CommandContext, flags: Flags): Promise<number> {
  const [ref = '', ...cmd] = flags.args;
  const client = ctx.client();
  const interactive = flags.bool('interactive');
  const tty = flags.bool('tty');
  const detach = flags.bool('detach');
  if (interactive && tty && !detach && ctx.stdin.isTTY !== true) throw new StatusError(1, 'the input device is not a TTY');
  const info = await client.json<ContainerInfo>('GET', `/containers/${encodeURIComponent(ref)}/json`);
  const size = tty ? consoleSize(ctx) : undefined;
  const env = [...flags.list('env-file').flatMap((f) => envFile(f, ctx.env)), ...bareEnv(flags.list('env'), ctx.env)];
  const created = await client.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(info.Id)}/exec`, {
    body: {
      User: flags.string('user'),
      Privileged: flags.bool('privileged'),
      Tty: tty,
      ConsoleSize: size ?? null,
      AttachStdin: interactive && !detach,
      AttachStdout: !detach,
      AttachStderr: !detach,
      Detach: detach,
      DetachKeys: flags.string('detach-keys'),
      Env: env.length ? env : null,
      WorkingDir: flags.string('workdir'),
      Cmd: cmd,
    },
  });
  const execId = created.Id;
  if (detach) {
    await client.exec('POST', `/exec/${execId}/start`, { body: { Detach: true, Tty: tty, ConsoleSize: size ?? null } });
    return 0;
  }
  const socket = await client.hijack(`/exec/${execId}/start`, { body: { Detach: false, Tty: tty, ConsoleSize: size ?? null } });
  const done = pipeHijacked(ctx, socket, { stdin: interactive, tty });
  let stopWatching = () => {};
  if (tty) {
    const resize = (rows: number, cols: number) => client.exec('POST', `/exec/${execId}/resize`, { query: { h: rows, w: cols } });
    if (size) void resize(size[0], size[1]).catch(() => {});
    stopWatching = watchTerminalSize(ctx, resize);
  }
  try {
    await done;
  } catch (e) {
    ctx.err(`${(e as Error).message}\n`);
  } finally {
    stopWatching();
  }
  const result = await client.json<{ ExitCode: number | null; Running: boolean }>('GET', `/exec/${execId}/json`);
  return result.ExitCode ?? 0;
}

export const execCommand: CommandDef = {
  name: 'exec',
  usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  flags: [
    { name: 'detach', short: 'd', type: 'bool' },
    { name: 'detach-keys', type: 'string' },
    { name: 'env', short: 'e', type: 'list' },
    { name: 'env-file', type: 'list' },
    { name: 'interactive', short: 'i', type: 'bool' },
    { name: 'privileged', type: 'bool' },
    { name: 'tty', short: 't', type: 'bool' },
    { name: 'user', short: 'u', type: 'string' },
    { name: 'workdir', short: 'w', type: 'string' },
  ],
  interspersed: false,
  args: { min: 2 },
  run: exec,
};
