/**
 * Docker's JSON progress messages for push and pull (moby's streamformatter + jsonmessage).
 * Pure: each function returns the object to write as one line of the stream.
 */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: unknown;
  error?: string;
  errorDetail?: { code?: number; message: string };
}

/** go-units HumanSize: decimal units, 4 significant digits ("1.024kB", "512B", "213MB"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${formatG4(v)}${units[i]}`;
}

/** Go's %.4g for the values HumanSize prints (no exponent below 1e4). */
function formatG4(v: number): string {
  const s = v.toPrecision(4);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** jsonmessage's bar at the daemon's assumed width: "[=====>     ]  1.024kB/2.048kB". */
export function progressBar(current: number, total: number): string {
  const cur = humanSize(current).padStart(8);
  if (total <= 0) return cur;
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  return `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] ${cur}/${humanSize(total)}`;
}

export const shortId = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

export const status = (text: string, id?: string): ProgressMessage => (id === undefined ? { status: text } : { status: text, progressDetail: {}, id });

export function progress(text: string, id: string, current: number, total: number): ProgressMessage {
  return { status: text, progressDetail: { current, total }, progress: progressBar(current, total), id };
}

export const pushRefersTo = (repo: string): ProgressMessage => ({ status: `The push refers to repository [${repo}]` });

export const pushDigestLine = (tag: string, digest: string, size: number): ProgressMessage => ({
  status: `${tag}: digest: ${digest} size: ${size}`,
});

export const pushAux = (tag: string, digest: string, size: number): ProgressMessage => ({
  progressDetail: {},
  aux: { Tag: tag, Digest: digest, Size: size },
});

export const pullingFrom = (path: string, tagOrDigest: string): ProgressMessage => ({ status: `Pulling from ${path}`, id: tagOrDigest });

/** The last line of a pull: whether anything new arrived. */
export function pullResult(familiarRef: string, downloadedNew: boolean): ProgressMessage {
  return { status: downloadedNew ? `Status: Downloaded newer image for ${familiarRef}` : `Status: Image is up to date for ${familiarRef}` };
}

export function errorMessage(message: string, code?: number): ProgressMessage {
  return { errorDetail: code === undefined ? { message } : { code, message }, error: message };
}

/** Limits progress updates for one id to one every `ms` (the bars need no more), keeping the last. */
export class Throttle {
  private last = new Map<string, number>();

  constructor(private readonly ms = 100) {}

  ready(id: string, now = Date.now()): boolean {
    const prev = this.last.get(id) ?? 0;
    if (now - prev < this.ms) return false;
    this.last.set(id, now);
    return true;
  }
}
