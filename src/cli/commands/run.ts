import { ApiError } from '../../client/api-error.js';
import type { EngineClient } from '../../client/engine-client.js';
import { readJsonStream } from '../../client/json-stream.js';
import { attachContainer, startErrorCode, waitHeaders } from '../attach-io.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import { buildCreateRequest, CONTAINER_FLAGS, type CreateRequest } from '../create-options.js';
import type { Flags } from '../flags.js';
import { normalizeRef } from '../reference.js';
import { displayMessage } from '../progress.js';

interface CreateResponse {
  Id: string;
  Warnings?: string[] | null;
}

/** POST /containers/create; on 404 pull the image (as docker does) and create again. */
export async function createContainer(client: EngineClient, ctx: CommandContext, req: CreateRequest): Promise<string> {
  const query = { name: req.name, platform: req.platform };
  let created: CreateResponse;
  try {
    created = await client.json<CreateResponse>('POST', '/containers/create', { query, body: req.body });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    const ref = normalizeRef(req.image);
    ctx.err(`Unable to find image '${ref.familiar}' locally\n`);
    await pullImage(client, ctx, req.image, req.platform);
    created = await client.json<CreateResponse>('POST', '/containers/create', { query, body: req.body });
  }
  for (const w of created.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  return created.Id;
}

async function pullImage(client: EngineClient, ctx: CommandContext, image: string, platform: string | undefined): Promise<void> {
  const ref = normalizeRef(image);
  const res = await client.call('POST', '/images/create', {
    query: { fromImage: ref.digest !== '' ? `${ref.repository}@${ref.digest}` : ref.repository, tag: ref.tag, platform },
    headers: { 'X-Registry-Auth': 'e30=' },
  });
  await readJsonStream(res, (m) => ctx.err(displayMessage(m)));
}

async function startContainer(client: EngineClient, id: string): Promise<void> {
  try {
    await client.exec('POST', `/containers/${encodeURIComponent(id)}/start`);
  } catch (e) {
    if (e instanceof ApiError) {
      throw new StatusError(startErrorCode(e.message), `skiff: Error response from daemon: ${e.message}\n\nRun 'skiff run --help' for more information`);
    }
    throw e;
  }
}

async function run(ctx: CommandContext, flags: Flags): Promise<number> {
  const detach = flags.bool('detach');
  const interactive = flags.bool('interactive');
  const tty = flags.bool('tty');
  if (interactive && tty && !detach && ctx.stdin.isTTY !== true) {
    throw new StatusError(1, 'the input device is not a TTY');
  }
  const req = buildCreateRequest(flags, ctx.env, { attach: !detach });
  if (tty && process.stdout.isTTY && !detach) {
    (req.body['HostConfig'] as Record<string, unknown>)['ConsoleSize'] = [process.stdout.rows, process.stdout.columns];
  }
  const client = ctx.client();
  const id = await createContainer(client, ctx, req);
  if (detach) {
    const wait = await waitHeaders(client, id, 'next-exit');
    try {
      await startContainer(client, id);
    } finally {
      wait.res.destroy();
    }
    ctx.out(`${id}\n`);
    return 0;
  }
  const attached = await attachContainer(client, ctx, id, { stdin: interactive, tty });
  const wait = await waitHeaders(client, id, flags.bool('rm') ? 'removed' : 'next-exit');
  try {
    await startContainer(client, id);
  } catch (e) {
    attached.socket.destroy();
    wait.res.destroy();
    throw e;
  }
  try {
    await attached.done;
  } catch (e) {
    ctx.err(`${(e as Error).message}\n`);
  }
  const status = await wait.result;
  if (status.Error?.Message) {
    ctx.err(`Error waiting for container: ${status.Error.Message}\n`);
    return 125;
  }
  return status.StatusCode;
}

async function create(ctx: CommandContext, flags: Flags): Promise<number> {
  const req = buildCreateRequest(flags, ctx.env, { attach: false });
  // docker create attaches stdio in the config unless asked otherwise: it is "run without start"
  req.body['AttachStdout'] = true;
  req.body['AttachStderr'] = true;
  req.body['AttachStdin'] = flags.bool('interactive');
  req.body['StdinOnce'] = flags.bool('interactive');
  const id = await createContainer(ctx.client(), ctx, req);
  ctx.out(`${id}\n`);
  return 0;
}

export const runCommand: CommandDef = {
  name: 'run',
  usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  flags: [{ name: 'detach', short: 'd', type: 'bool' }, { name: 'sig-proxy', type: 'bool' }, { name: 'detach-keys', type: 'string', unsupported: true }, ...CONTAINER_FLAGS],
  interspersed: false,
  args: { min: 1 },
  runLike: true,
  run,
};

export const createCommand: CommandDef = {
  name: 'create',
  usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  flags: CONTAINER_FLAGS,
  interspersed: false,
  args: { min: 1 },
  runLike: true,
  run: create,
};
