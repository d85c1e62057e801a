import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { filtersJson } from '../format-list.js';
import { GoTemplate } from '../go-template.js';
import { fromJs, GoNumber, GoObject, parseGoJson, type GoValue } from '../go-value.js';
import { timestampParam } from './logs.js';

interface WireEvent {
  status?: string;
  id?: string;
  from?: string;
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  scope?: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's RFC3339NanoFixed in the local zone ("…T15:04:05.000000000Z07:00"), as `docker events` prints. */
export function localNanoTime(timeNano: bigint, offsetMinutes = -new Date(Number(timeNano / 1_000_000n)).getTimezoneOffset()): string {
  const ms = Number(timeNano / 1_000_000n) + offsetMinutes * 60_000;
  const d = new Date(ms);
  const nanos = Number(timeNano % 1_000_000_000n);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(nanos, 9)}`;
  const abs = Math.abs(offsetMinutes);
  const zone = offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${date}T${time}${zone}`;
}

/** The default line: time, type, action, actor ID and the sorted attributes. */
export function prettyEvent(e: WireEvent, timeNano: bigint, offsetMinutes?: number): string {
  let line = `${localNanoTime(timeNano, offsetMinutes)} ${e.Type ?? ''} ${e.Action ?? ''} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) line += ` (${keys.map((k) => `${k}=${attrs[k] ?? ''}`).join(', ')})`;
  return `${line}\n`;
}

/** events.Message as a template sees it: Go field names; `{{json .}}` prints the wire JSON. */
function templateValue(e: WireEvent, raw: string, time: string, timeNano: string): GoValue {
  const actor = new GoObject(new Map<string, GoValue>([['ID', e.Actor?.ID ?? ''], ['Attributes', fromJs(e.Actor?.Attributes ?? {})]]));
  const entries = new Map<string, GoValue>([
    ['Status', e.status ?? ''],
    ['ID', e.id ?? ''],
    ['From', e.from ?? ''],
    ['Type', e.Type ?? ''],
    ['Action', e.Action ?? ''],
    ['Actor', actor],
    ['Scope', e.scope ?? ''],
    ['Time', new GoNumber(time)],
    ['TimeNano', new GoNumber(timeNano)],
  ]);
  return new GoObject(entries, 'struct', 'events.Message', () => parseGoJson(raw));
}

async function events(ctx: CommandContext, flags: Flags): Promise<number> {
  const format = flags.string('format');
  const tmpl = format === '' ? undefined : new GoTemplate(format === 'json' ? '{{json .}}' : format);
  const res = await ctx.client().call('GET', '/events', {
    query: {
      since: flags.has('since') ? timestampParam(flags.string('since')) : undefined,
      until: flags.has('until') ? timestampParam(flags.string('until')) : undefined,
      filters: filtersJson(flags.list('filter')),
    },
  });
  let buf = '';
  // `skiff events | head` closes the pipe: stop reading quietly, as docker does.
  let outputClosed = false;
  ctx.stdout.on('error', () => {
    outputClosed = true;
    res.destroy();
  });
  const line = (raw: string) => {
    if (raw.trim() === '' || outputClosed) return;
    const e = JSON.parse(raw) as WireEvent;
    // timeNano does not fit a double: read its digits from the text.
    const timeNano = /"timeNano":(\d+)/.exec(raw)?.[1] ?? '0';
    const time = /"time":(\d+)/.exec(raw)?.[1] ?? '0';
    ctx.out(tmpl ? `${tmpl.execute(templateValue(e, raw.trim(), time, timeNano))}\n` : prettyEvent(e, BigInt(timeNano)));
  };
  try {
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString('utf8');
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const p of parts) line(p);
    }
  } catch (err) {
    if (!outputClosed) throw err;
  }
  line(buf);
  return 0;
}

export const eventsCommand: CommandDef = {
  name: 'events',
  usage: 'events [OPTIONS]',
  flags: [
    { name: 'filter', short: 'f', type: 'list' },
    { name: 'format', type: 'string' },
    { name: 'since', type: 'string' },
    { name: 'until', type: 'string' },
  ],
  args: { max: 0 },
  run: events,
};
