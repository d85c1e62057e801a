import { demuxStream } from '../../client/demux-stream.js';
import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

/** docker's GetTimestamp: durations are relative to now, RFC 3339 times become seconds.nanos, numbers pass through. */
export function timestampParam(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const dur = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(value);
  if (dur !== null) {
    const mult: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
    return String(Math.trunc((now - Number(dur[1]) * (mult[dur[2] ?? 's'] ?? 1000)) / 1000));
  }
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new Error(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
  const frac = /\.(\d+)/.exec(value.replace(/^[^T]*T/, ''))?.[1] ?? '';
  return `${Math.floor(ms / 1000)}.${frac.padEnd(9, '0').slice(0, 9)}`;
}

async function logs(ctx: CommandContext, flags: Flags): Promise<number> {
  const client = ctx.client();
  const ref = flags.args[0] ?? '';
  const info = await client.json<{ Id: string; Config?: { Tty?: boolean } }>('GET', `/containers/${encodeURIComponent(ref)}/json`);
  const res = await client.call('GET', `/containers/${info.Id}/logs`, {
    query: {
      stdout: true,
      stderr: true,
      follow: flags.bool('follow') ? true : undefined,
      timestamps: flags.bool('timestamps') ? true : undefined,
      since: flags.has('since') ? timestampParam(flags.string('since')) : undefined,
      until: flags.has('until') ? timestampParam(flags.string('until')) : undefined,
      tail: flags.string('tail', 'all'),
      details: flags.bool('details') ? true : undefined,
    },
  });
  if (info.Config?.Tty === true) {
    for await (const chunk of res) ctx.stdout.write(chunk as Buffer);
  } else {
    await demuxStream(res, (d) => ctx.stdout.write(d), (d) => ctx.stderr.write(d));
  }
  return 0;
}

export const logsCommand: CommandDef = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  flags: [
    { name: 'follow', short: 'f', type: 'bool' },
    { name: 'timestamps', short: 't', type: 'bool' },
    { name: 'tail', short: 'n', type: 'string' },
    { name: 'since', type: 'string' },
    { name: 'until', type: 'string' },
    { name: 'details', type: 'bool' },
  ],
  args: { min: 1, max: 1 },
  run: logs,
};
