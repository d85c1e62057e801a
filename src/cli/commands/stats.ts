import type { IncomingMessage } from 'node:http';
import { statsFigures, type StatsFigures } from '../../container/stats-calc.js';
import type { StatsJson } from '../../container/stats-response.js';
import type { EngineClient } from '../../client/engine-client.js';
import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { contextObject, renderList } from '../format-list.js';
import { GoObject, type GoValue } from '../go-value.js';
import { formatG, humanSize, truncateId } from '../human.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const HEADERS: Record<string, string> = {
  Container: 'CONTAINER', Name: 'NAME', ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

/** go-units' BytesSize: binary units with `%.4g` ("316KiB", "23.54GiB"). */
export function bytesSize(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
  let i = 0;
  let s = size;
  while (s >= 1024 && i < units.length - 1) {
    s /= 1024;
    i++;
  }
  return `${formatG(s, 4)}${units[i]}`;
}

/** One container's row: what the user named it, and its latest figures (invalid until they arrive, or after an error). */
interface Entry {
  container: string;
  figures: StatsFigures | undefined;
  error: Error | undefined;
}

/** docker's statsContext: a row with the formatted columns; "--" where a figure is unknown. */
export function statsRow(e: Entry, trunc: boolean): GoObject {
  const f = e.figures;
  const invalid = f === undefined || e.error !== undefined;
  const pct = (n: number) => `${n.toFixed(2)}%`;
  const fields: Record<string, () => GoValue> = {
    Container: () => e.container,
    Name: () => (f !== undefined && f.name.length > 1 ? f.name.slice(1) : '--'),
    ID: () => (trunc ? truncateId(f?.id ?? '') : f?.id ?? ''),
    CPUPerc: () => (invalid ? '--' : pct(f.cpuPercent)),
    MemUsage: () => (invalid ? '-- / --' : `${bytesSize(f.memory)} / ${bytesSize(f.memoryLimit)}`),
    MemPerc: () => (invalid ? '--' : pct(f.memoryPercent)),
    NetIO: () => (invalid ? '--' : `${humanSize(f.netRx)} / ${humanSize(f.netTx)}`),
    BlockIO: () => (invalid ? '--' : `${humanSize(f.blockRead)} / ${humanSize(f.blockWrite)}`),
    PIDs: () => (invalid ? '--' : String(f.pids)),
  };
  const json = () => new GoObject(new Map(Object.keys(fields).sort().map((k) => [k, (fields[k] as () => GoValue)()])), 'map');
  return contextObject('*container.statsContext', fields, json);
}

/** Reads newline-separated stats objects from a streaming response. */
async function readObjects(res: IncomingMessage, onObject: (s: StatsJson) => void): Promise<void> {
  let buf = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    buf += chunk as string;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') onObject(JSON.parse(line) as StatsJson);
    }
  }
  if (buf.trim() !== '') onObject(JSON.parse(buf) as StatsJson);
}

/**
 * Follows one container: resolves once the first figures arrived (or failed, or 2 s passed,
 * docker's "timeout waiting for stats"); a stream goes on in the background, its response kept in `open`.
 */
function collect(client: EngineClient, e: Entry, stream: boolean, open: Set<IncomingMessage>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      e.figures = undefined;
      e.error = new Error('timeout waiting for stats');
      resolve();
    }, 2000);
    const first = () => {
      clearTimeout(timer);
      resolve();
    };
    client
      .call('GET', `/containers/${encodeURIComponent(e.container)}/stats`, { query: { stream: stream ? '1' : '0' } })
      .then((res) => {
        open.add(res);
        return readObjects(res, (s) => {
          e.figures = statsFigures(s);
          e.error = undefined;
          first();
        }).finally(() => open.delete(res));
      })
      .then(() => {
        if (stream) e.error = new Error('EOF');
      })
      .catch((err: unknown) => {
        e.error = err instanceof Error ? err : new Error(String(err));
      })
      .finally(first);
  });
}

async function stats(ctx: CommandContext, flags: Flags): Promise<number> {
  const client = ctx.client();
  const stream = !flags.bool('no-stream');
  const trunc = !flags.bool('no-trunc');
  let format = flags.string('format');
  if (format === '' || format === 'table') format = DEFAULT_FORMAT;
  else if (format === 'json') format = '{{json .}}';
  const showAll = flags.args.length === 0;
  const open = new Set<IncomingMessage>();
  const entries: Entry[] = [];
  const add = (container: string) => {
    if (entries.some((e) => e.container === container)) return undefined;
    const e: Entry = { container, figures: undefined, error: undefined };
    entries.push(e);
    return collect(client, e, stream, open);
  };
  const listContainers = async () => {
    const list = await client.json<{ Id: string }[]>('GET', '/containers/json', { query: { all: flags.bool('all') ? true : undefined } });
    const ids = new Set(list.map((c) => c.Id.slice(0, 12)));
    // Without -a, a container that stopped leaves the table (docker does it on the "die" event).
    if (!flags.bool('all')) entries.splice(0, entries.length, ...entries.filter((e) => ids.has(e.container)));
    return Promise.all([...ids].map(add));
  };
  try {
    if (showAll) await listContainers();
    else {
      await Promise.all(flags.args.map(add));
      const errors = entries.filter((e) => e.error !== undefined && e.figures === undefined).map((e) => e.error as Error);
      if (errors.length > 0) throw errors.length === 1 ? errors[0] : new Error(errors.map((e) => e.message).join('\n'));
    }
    for (;;) {
      const table = renderList(format, entries.map((e) => statsRow(e, trunc)), HEADERS);
      if (!stream) {
        ctx.out(table);
        return 0;
      }
      // Redraw in place: home, each line cleared to its end, then the rest of the screen cleared.
      ctx.out(`\x1b[H${table.split('\n').map((l) => `${l} \x1b[K\n`).join('')}\x1b[J`);
      await new Promise((r) => setTimeout(r, 500));
      if (showAll) await listContainers();
    }
  } finally {
    // Streams still open end with the command (destroying them is how a Go client leaves too).
    for (const res of open) res.destroy();
  }
}

const flagSpecs = [
  { name: 'all', short: 'a', type: 'bool' as const },
  { name: 'no-stream', type: 'bool' as const },
  { name: 'no-trunc', type: 'bool' as const },
  { name: 'format', type: 'string' as const },
];

export const statsCommand: CommandDef = { name: 'stats', usage: 'stats [OPTIONS] [CONTAINER...]', flags: flagSpecs, run: stats };
export const containerStatsCommand: CommandDef = { ...statsCommand, name: 'container stats', usage: 'container stats [OPTIONS] [CONTAINER...]' };
