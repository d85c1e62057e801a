/**
 * Docker's restart policies as a pure decision: given how a container ended and what is known
 * about it, restart it now, after a backoff, or not at all. The container service applies it.
 */

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface RestartPolicy {
  name: string;
  maximumRetryCount: number;
}

export interface RestartContext {
  /** `docker stop`/`kill` ended it (persisted, so a daemon restart still knows). */
  manuallyStopped: boolean;
  /** Restarts done by the policy since the last start by a user. */
  restartCount: number;
  /** The daemon is starting up and looks at containers it found stopped or dead. */
  daemonStarting: boolean;
  /** How long the container ran before it exited, in ms. */
  ranForMs: number;
  /** The delay used before the previous restart (0 when none yet). */
  previousDelayMs: number;
}

export type RestartDecision = { kind: 'none' } | { kind: 'now' } | { kind: 'after'; delayMs: number };

/** Docker's restart manager: 100 ms doubling up to a minute, reset once a run lasted 10 s. */
export const firstDelayMs = 100;
export const maxDelayMs = 60_000;
export const resetAfterMs = 10_000;

export const policyNames: readonly RestartPolicyName[] = ['no', 'always', 'on-failure', 'unless-stopped'];

/** Checks a policy as the daemon receives it; returns Docker's wording for a bad one. */
export function restartPolicyError(p: { Name?: unknown; MaximumRetryCount?: unknown }): string | undefined {
  const name = typeof p.Name === 'string' ? p.Name : '';
  const max = typeof p.MaximumRetryCount === 'number' ? p.MaximumRetryCount : 0;
  if (name !== '' && !(policyNames as readonly string[]).includes(name)) {
    return `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  }
  if (max < 0) return 'invalid restart policy: maximum retry count cannot be negative';
  if (max > 0 && name !== 'on-failure') return `invalid restart policy: maximum retry count can only be used with 'on-failure'`;
  return undefined;
}

/** The delay before the next restart, given the previous one and how long the last run lasted. */
export function nextDelay(previousDelayMs: number, ranForMs: number): number {
  const prev = ranForMs >= resetAfterMs ? 0 : previousDelayMs;
  return prev === 0 ? firstDelayMs : Math.min(prev * 2, maxDelayMs);
}

/** Whether the policy wants the container running again (ignoring when). */
export function wantsRestart(policy: RestartPolicy, exitCode: number, ctx: Pick<RestartContext, 'manuallyStopped' | 'restartCount' | 'daemonStarting'>): boolean {
  switch (policy.name) {
    case 'always':
      // A stopped `always` container stays down until the daemon restarts (as Docker does).
      return !ctx.manuallyStopped || ctx.daemonStarting;
    case 'unless-stopped':
      return !ctx.manuallyStopped;
    case 'on-failure': {
      if (ctx.manuallyStopped || exitCode === 0) return false;
      const max = policy.maximumRetryCount;
      return max <= 0 || ctx.restartCount < max;
    }
    default:
      return false;
  }
}

export function decideRestart(policy: RestartPolicy, exitCode: number, ctx: RestartContext): RestartDecision {
  if (!wantsRestart(policy, exitCode, ctx)) return { kind: 'none' };
  if (ctx.daemonStarting) return { kind: 'now' };
  return { kind: 'after', delayMs: nextDelay(ctx.previousDelayMs, ctx.ranForMs) };
}
