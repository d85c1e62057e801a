import { systemError } from '../base/engine-error.js';

/**
 * `docker top`: dockerd runs the host's `ps` with the client's arguments and keeps the rows
 * whose PID belongs to the container. These are the pure parts of that (moby daemon/top_unix.go).
 */

export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}

/** Refuses `-o x=PID…` style renames of a column to PID, which would fool the PID detection. */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+(\S*)=\s*(PID\S*)/g)) {
    const key = m[1] ?? '';
    if (key !== 'pid') throw systemError(`specifying "${key}=${m[2] ?? ''}" is not allowed`);
  }
}

/** The argv dockerd gives ps: the client's string split on single spaces (not fields). */
export function psArgv(psArgs: string): string[] {
  return (psArgs === '' ? '-ef' : psArgs).split(' ');
}

/** "-q1,2,3": ps's quick pid selection, appended first; dockerd retries without it when ps refuses. */
export function psPidsArg(pids: readonly number[]): string {
  return `-q${pids.join(',')}`;
}

/** Go's strings.FieldsFunc over ASCII whitespace only, as dockerd splits ps output. */
function fieldsAscii(line: string): string[] {
  return line.split(/[\t\n\f\r ]+/).filter((f) => f !== '');
}

/**
 * Keeps the header and the rows whose PID column is one of `pids`; thread rows (PID "-", from
 * ps -m) follow the process row before them. Surplus fields are joined into the last column
 * (the command line).
 */
export function parsePsOutput(output: string, pids: readonly number[]): TopResponse {
  const lines = output.split('\n');
  const titles = fieldsAscii(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw systemError("Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const processes: string[][] = [];
  const append = (fields: string[]) => {
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
  };
  let previousKept = false;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const fields = fieldsAscii(line);
    const pidField = fields[pidIndex] ?? '';
    if (pidField === '-') {
      if (previousKept) append(fields);
      continue;
    }
    if (!/^[+-]?\d+$/.test(pidField)) throw systemError(`Unexpected pid '${pidField}': strconv.Atoi: parsing "${pidField}": invalid syntax`);
    previousKept = wanted.has(Number(pidField));
    if (previousKept) append(fields);
  }
  return { Titles: titles, Processes: processes };
}
