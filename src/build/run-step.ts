import { specFromCreate, type CreateBody } from '../api/create-request.js';
import { EngineError } from '../base/engine-error.js';
import { shortId } from '../base/ids.js';
import type { ContainerService } from '../container/container-service.js';
import { LogCursor, watchLog, type LogEntry } from '../container/log-file.js';
import type { ContainerConfigFields, ImageRecord } from '../image/image-config.js';

/**
 * The container side of a build step: a container made from the step's image (create → start →
 * wait, its output streamed into the build output), and its removal. Runs through the same
 * ContainerService as `docker run`, so it gets the same isolation.
 */
export interface StepOutput {
  stream(text: string): void;
}

/** A RUN that exited non-zero; `exitCode` becomes the errorDetail code the CLI exits with. */
export class StepFailed extends EngineError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('System', message);
  }
}

/** The image as a build container sees it: VOLUMEs are only recorded, never mounted, during builds. */
function withoutVolumes(image: ImageRecord): ImageRecord {
  const config = { ...(image.config.config ?? {}) };
  delete config.Volumes;
  delete config.Healthcheck;
  return { ...image, config: { ...image.config, config } };
}

export async function createStepContainer(
  containers: ContainerService,
  image: ImageRecord,
  config: ContainerConfigFields,
  cmd: string[],
  env: string[],
  networkMode: string,
  out: StepOutput,
): Promise<string> {
  const body: CreateBody = {
    Image: image.id,
    Cmd: cmd,
    Entrypoint: [''],
    Env: env,
    User: config.User ?? '',
    WorkingDir: config.WorkingDir ?? '',
    HostConfig: networkMode ? { NetworkMode: networkMode } : {},
  };
  const spec = specFromCreate(body, withoutVolumes(image));
  const rec = await containers.create(spec, { config: { ...body }, hostConfig: { ...(body.HostConfig ?? {}) } });
  out.stream(` ---> Running in ${shortId(rec.id)}\n`);
  return rec.id;
}

/** Starts the container, streams its log while it runs, resolves with its exit code. */
export async function runStepContainer(containers: ContainerService, id: string, out: StepOutput, signal?: AbortSignal): Promise<number> {
  const cursor = new LogCursor(containers.paths(id).log);
  const emit = (entries: LogEntry[]) => {
    for (const e of entries) out.stream(e.stream === 'stderr' ? `\u001b[91m${e.log}\u001b[0m` : e.log);
  };
  let reading = Promise.resolve();
  const pump = () => {
    reading = reading.then(async () => emit(await cursor.read()));
  };
  const unwatch = watchLog(containers.paths(id).log, pump);
  const onAbort = () => void containers.kill(id).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await containers.start(id);
    const code = await containers.waitFor(id, 'not-running');
    await reading;
    emit(cursor.readSync());
    signal?.throwIfAborted();
    return code;
  } finally {
    unwatch();
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function removeStepContainer(containers: ContainerService, id: string, out: StepOutput | undefined): Promise<void> {
  await containers.remove(id, { force: true });
  out?.stream(`Removing intermediate container ${shortId(id)}\n`);
}
