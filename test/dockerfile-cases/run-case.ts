import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandOptions, CommandResult } from '../e2e/run-command.js';
import type { DockerfileCase } from './cases.js';

/**
 * Builds one case with the docker CLI (legacy builder, --no-cache so that cases never share steps) against whatever daemon `cli` talks to
 * and collects what it gave, normalized so that two daemons can be compared: IDs, COPY source
 * hashes and the CLI's own banner lines are replaced or dropped. Used by record.ts (against
 * dockerd) and by the e2e suite (against skiffd).
 */
export type Cli = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

export interface CaseResult {
  code: number;
  /** The build's stdout, normalized. */
  output: string;
  /** The build's stderr without the CLI's legacy-builder banner, normalized. */
  error: string;
  /** `CreatedBy|Size` per history row, newest first, without the base image's rows. */
  history?: string[];
  config?: Record<string, unknown>;
  author?: string;
  run?: { code: number; stdout: string };
}

const CONFIG_FIELDS = ['Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'User', 'Labels', 'ExposedPorts', 'Volumes', 'Shell', 'StopSignal', 'Healthcheck', 'OnBuild'];

export function normalize(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^Sending build context to Docker daemon/.test(l))
    .join('\n')
    .replace(/( ---> |Running in |Removing intermediate container |Successfully built )[0-9a-f]{12}\b/g, '$1<id>')
    .replace(/(file|dir|multi):[0-9a-f]{64}\b/g, '$1:<hash>')
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<id>');
}

const BANNER = [/^DEPRECATED: The legacy builder is deprecated/, /^ *Install the buildx component/, /^ *BuildKit is currently disabled/, /^ *https:\/\/docs\.docker\.com\/go\/buildx/, /^ *environment-variable\.?$/];

export function errorText(stderr: string): string {
  return normalize(
    stderr
      .split('\n')
      .filter((l) => !BANNER.some((re) => re.test(l)))
      .join('\n')
      .trim(),
  );
}

export function writeContext(c: DockerfileCase, dockerfile: string): string {
  const dir = mkdtempSync('/tmp/skiff-dfcase-');
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, content] of Object.entries(c.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : Buffer.from(content.base64, 'base64'));
  }
  return dir;
}

/** History rows of `image` that `base` does not have (base rows are the oldest ones). */
async function historyRows(cli: Cli, image: string): Promise<string[]> {
  const r = await cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', image]);
  return normalize(r.stdout).trim().split('\n');
}

export async function runCase(cli: Cli, c: DockerfileCase, tag: string, dockerfile = c.dockerfile): Promise<CaseResult> {
  const dir = writeContext(c, dockerfile);
  try {
    const b = await cli(['build', '--no-cache', '-t', tag, ...(c.args ?? []), '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    const result: CaseResult = { code: b.code, output: normalize(b.stdout), error: errorText(b.stderr) };
    if (b.code !== 0) return result;
    const base = dockerfile.includes('FROM scratch') ? [] : await historyRows(cli, 'busybox');
    const rows = await historyRows(cli, tag);
    result.history = rows.slice(0, rows.length - base.length);
    const inspect = JSON.parse((await cli(['image', 'inspect', tag])).stdout) as Array<{ Config: Record<string, unknown>; Author: string }>;
    const cfg = inspect[0]?.Config ?? {};
    result.config = Object.fromEntries(CONFIG_FIELDS.map((k) => [k, emptyToNull(cfg[k])]));
    result.author = inspect[0]?.Author ?? '';
    if (c.run) {
      const r = await cli(['run', '--rm', tag, ...c.run], { timeoutMs: 60_000 });
      result.run = { code: r.code, stdout: r.stdout };
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Docker omits some empty fields and writes others as null or "": compare them as null. */
function emptyToNull(v: unknown): unknown {
  if (v === undefined || v === '' || v === null) return null;
  if (Array.isArray(v) && v.length === 0) return null;
  if (typeof v === 'object' && Object.keys(v as object).length === 0) return null;
  return v;
}
