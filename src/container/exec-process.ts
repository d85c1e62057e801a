import { invalidParameter } from '../base/engine-error.js';
import type { SpecProcess } from './runtime-spec-types.js';
import type { ResolvedUser } from './user-lookup.js';

/** What `POST /containers/{id}/exec` asked for, already validated (camelCase domain form). */
export interface ExecConfig {
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  env: string[];
  user: string;
  workingDir: string;
  privileged: boolean;
  detachKeys: string;
  consoleSize: { height: number; width: number } | undefined;
}

/** Docker's exec create body (the parts skiff reads). */
export interface ExecCreateBody {
  Cmd?: string[] | string | null;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Privileged?: boolean;
  DetachKeys?: string;
  ConsoleSize?: unknown;
}

export function consoleSizeOf(v: unknown): { height: number; width: number } | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [height, width] = v as unknown[];
  if (typeof height !== 'number' || typeof width !== 'number' || height <= 0 || width <= 0) return undefined;
  return { height: Math.trunc(height), width: Math.trunc(width) };
}

/** Validates an exec create body with moby's wording. */
export function execConfigFromBody(body: ExecCreateBody | undefined): ExecConfig {
  const b = body ?? {};
  const cmd = typeof b.Cmd === 'string' ? [b.Cmd] : (b.Cmd ?? []);
  if (!Array.isArray(cmd) || cmd.length === 0) throw invalidParameter('No exec command specified');
  if (!cmd.every((c) => typeof c === 'string')) throw invalidParameter('Cmd must be a list of strings');
  const env = b.Env ?? [];
  if (!Array.isArray(env) || !env.every((e) => typeof e === 'string')) throw invalidParameter('Env must be a list of strings');
  for (const e of env) if (e.startsWith('=') || e === '') throw invalidParameter(`invalid environment variable: ${e}`);
  if (b.WorkingDir && !b.WorkingDir.startsWith('/')) {
    throw invalidParameter(`the working directory '${b.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  return {
    cmd,
    tty: b.Tty === true,
    attachStdin: b.AttachStdin === true,
    attachStdout: b.AttachStdout === true,
    attachStderr: b.AttachStderr === true,
    env,
    user: b.User ?? '',
    workingDir: b.WorkingDir ?? '',
    privileged: b.Privileged === true,
    detachKeys: b.DetachKeys ?? '',
    consoleSize: consoleSizeOf(b.ConsoleSize),
  };
}

/** KEY=VALUE lists: later entries replace earlier ones with the same key, order of first appearance kept. */
function mergeEnv(...lists: readonly (readonly string[])[]): string[] {
  const out = new Map<string, string>();
  for (const list of lists) {
    for (const e of list) {
      const eq = e.indexOf('=');
      out.set(eq < 0 ? e : e.slice(0, eq), e);
    }
  }
  return [...out.values()].filter((e) => e.includes('='));
}

export interface ExecProcessInput {
  /** The container's own process (from its bundle's config.json): capabilities, rlimits, env. */
  base: SpecProcess;
  exec: ExecConfig;
  /** The exec's user, resolved in the container's root; undefined to run as the container's user. */
  user: ResolvedUser | undefined;
  /** Every capability the host's bounding set holds, for `--privileged`. */
  privilegedCaps: readonly string[];
  /** A resize that arrived before the exec started wins over the body's ConsoleSize. */
  consoleSize?: { height: number; width: number };
}

/**
 * The OCI `process` for `runc exec --process`: the container's process with the exec's argv,
 * environment (container env, then TERM for a TTY, then the exec's Env), user, cwd, terminal
 * and, for `--privileged`, the full capability set (as dockerd gives privileged execs).
 */
export function buildExecProcess(input: ExecProcessInput): SpecProcess {
  const { base, exec, user } = input;
  // HOME belongs to the container's user; for another user runc sets it from /etc/passwd.
  let env = base.env.filter((e) => !(user && e.startsWith('HOME=')) && !e.startsWith('TERM='));
  const baseTerm = base.env.find((e) => e.startsWith('TERM='));
  if (exec.tty) env = mergeEnv(env, [baseTerm ?? 'TERM=xterm']);
  if (user) env = mergeEnv(env, [`HOME=${user.home}`]);
  env = mergeEnv(env, exec.env);
  const proc: SpecProcess = {
    ...base,
    terminal: exec.tty,
    args: [...exec.cmd],
    env,
    cwd: exec.workingDir || base.cwd || '/',
    user: user ? { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } : base.user,
  };
  const size = input.consoleSize ?? exec.consoleSize;
  if (exec.tty && size) proc.consoleSize = size;
  else delete proc.consoleSize;
  if (exec.privileged) {
    const caps = [...input.privilegedCaps];
    proc.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: caps };
    proc.noNewPrivileges = false;
    delete proc.apparmorProfile;
  }
  return proc;
}
