import { invalidParameter } from '../base/engine-error.js';

/**
 * Linux x86-64 signal numbers, keyed by name without the SIG prefix. Aliases (IOT, CLD, POLL)
 * are accepted on input; the first name listed for a number is the one printed back.
 */
const STANDARD: ReadonlyArray<readonly [string, number]> = [
  ['HUP', 1],
  ['INT', 2],
  ['QUIT', 3],
  ['ILL', 4],
  ['TRAP', 5],
  ['ABRT', 6],
  ['IOT', 6],
  ['BUS', 7],
  ['FPE', 8],
  ['KILL', 9],
  ['USR1', 10],
  ['SEGV', 11],
  ['USR2', 12],
  ['PIPE', 13],
  ['ALRM', 14],
  ['TERM', 15],
  ['STKFLT', 16],
  ['CHLD', 17],
  ['CLD', 17],
  ['CONT', 18],
  ['STOP', 19],
  ['TSTP', 20],
  ['TTIN', 21],
  ['TTOU', 22],
  ['URG', 23],
  ['XCPU', 24],
  ['XFSZ', 25],
  ['VTALRM', 26],
  ['PROF', 27],
  ['WINCH', 28],
  ['IO', 29],
  ['POLL', 29],
  ['PWR', 30],
  ['SYS', 31],
];

export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

/**
 * Docker's table names real-time signals RTMIN, RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1, RTMAX
 * (the glibc convention: the lower half counts up from RTMIN, the upper half down from RTMAX).
 */
function realtimeEntries(): Array<[string, number]> {
  const out: Array<[string, number]> = [['RTMIN', SIGRTMIN]];
  for (let i = 1; i <= 15; i++) out.push([`RTMIN+${i}`, SIGRTMIN + i]);
  for (let i = 14; i >= 1; i--) out.push([`RTMAX-${i}`, SIGRTMAX - i]);
  out.push(['RTMAX', SIGRTMAX]);
  return out;
}

const BY_NAME: ReadonlyMap<string, number> = new Map([...STANDARD, ...realtimeEntries()]);

const BY_NUMBER: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [name, num] of BY_NAME) if (!m.has(num)) m.set(num, name);
  return m;
})();

/** True when Linux knows this signal number (Docker's ValidSignalForPlatform). */
export function isValidSignal(signal: number): boolean {
  return BY_NUMBER.has(signal);
}

/**
 * Parses "SIGTERM", "term", "15", "SIGRTMIN+3" into a signal number, as Docker does: a number is
 * taken as is (0 is invalid), a name is looked up case-insensitively with or without "SIG".
 * Numbers Linux does not know get Docker's daemon-side wording.
 */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const num = Number.parseInt(raw, 10);
    if (num === 0) throw invalidParameter(`Invalid signal: ${raw}`);
    if (!isValidSignal(num)) throw invalidParameter(`the linux daemon does not support signal ${num}`);
    return num;
  }
  const upper = raw.toUpperCase();
  const key = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const num = BY_NAME.get(key);
  if (num === undefined) throw invalidParameter(`Invalid signal: ${raw}`);
  return num;
}

/** "SIGTERM" for 15, "SIGRTMIN+2" for 36; undefined for numbers Linux does not know. */
export function signalName(signal: number): string | undefined {
  const name = BY_NUMBER.get(signal);
  return name === undefined ? undefined : `SIG${name}`;
}

/** Every canonical signal name with its number, in numeric order (for listings and tests). */
export function allSignals(): Array<{ name: string; number: number }> {
  return [...BY_NUMBER.entries()].sort((a, b) => a[0] - b[0]).map(([number, name]) => ({ name: `SIG${name}`, number }));
}
