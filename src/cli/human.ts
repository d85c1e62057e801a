/** go-units' HumanSizeWithPrecision: decimal units, `%.<precision>g`. */
export function humanSize(size: number, precision = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let i = 0;
  let s = size;
  while (s >= 1000 && i < units.length - 1) {
    s /= 1000;
    i++;
  }
  return `${formatG(s, precision)}${units[i]}`;
}

/** Go's %.Ng: N significant digits, trailing zeros dropped, exponent as e+NN. */
export function formatG(x: number, precision: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  const fixed = x.toPrecision(precision);
  const rounded = Number(fixed);
  const realExp = rounded === 0 ? exp : Math.floor(Math.log10(Math.abs(rounded)));
  if (realExp < -4 || realExp >= precision) {
    const [mant = '', e = '0'] = x.toExponential(precision - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** go-units' HumanDuration, for "5 seconds ago" and "Up 5 minutes". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3600000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3600000) / 24 / 365)} years`;
}

export function timeAgo(unixSeconds: number, now: number = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** Go's time.Time.String() in local time: "2025-01-01 00:00:00 +0000 UTC". */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const offMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offMin * 60000);
  const iso = local.toISOString();
  const sign = offMin < 0 ? '-' : '+';
  const abs = Math.abs(offMin);
  const off = `${sign}${String(Math.trunc(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${off} ${zoneName(d, offMin)}`;
}

function zoneName(d: Date, offMin: number): string {
  if (offMin === 0 && (process.env['TZ'] === undefined || /^(UTC|Etc\/UTC|)$/.test(process.env['TZ'] ?? ''))) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

/** docker's TruncateID: drop an algorithm prefix, keep 12 characters. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** docker's Ellipsis for ASCII-width strings: maxWidth-1 runes then "…". */
export function ellipsis(s: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  const runes = [...s];
  if (maxWidth === 1) return runes[0] ?? '';
  if (runes.length <= maxWidth) return s;
  return `${runes.slice(0, maxWidth - 1).join('')}…`;
}

/** strconv.Quote, close enough for command lines: JSON escaping without the HTML escapes. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, '\\x7f');
}
