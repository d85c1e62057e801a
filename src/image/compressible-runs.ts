/**
 * Where a chunk of a layer tar is worth deflating. Random or already-compressed bytes (media,
 * archives, encrypted data) barely shrink and are the slowest input deflate has, several times
 * slower than text; a layer usually mixes both, file by file. So each 64 KiB block is judged by
 * the byte entropy of a sample, and neighbouring blocks of one kind form one run, stored (level 0)
 * or deflated. A pure function of the bytes: the same tar always gives the same members.
 */
export interface CompressibleRun {
  start: number;
  end: number;
  level: number;
}

const BLOCK = 64 * 1024;
const SAMPLE = 4 * 1024;
/** Bits per byte above which a sample counts as incompressible (random data shows ~7.95 here). */
const MAX_ENTROPY = 7.5;

/** Order-0 entropy of `buf` in bits per byte. */
export function byteEntropy(buf: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] as number;
    counts[b] = (counts[b] as number) + 1;
  }
  let bits = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / buf.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function blockIsIncompressible(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < BLOCK) return false;
  const mid = start + ((end - start - SAMPLE) >> 1);
  return byteEntropy(buf.subarray(mid, mid + SAMPLE)) > MAX_ENTROPY;
}

/** The runs of `buf`, in order and covering it; `level` for compressible runs, 0 for the rest. */
export function compressibleRuns(buf: Uint8Array, level: number): CompressibleRun[] {
  if (level === 0 || buf.length === 0) return [{ start: 0, end: buf.length, level }];
  const runs: CompressibleRun[] = [];
  for (let start = 0; start < buf.length; start += BLOCK) {
    const end = Math.min(buf.length, start + BLOCK);
    const l = blockIsIncompressible(buf, start, end) ? 0 : level;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.level === l) last.end = end;
    else runs.push({ start, end, level: l });
  }
  return runs;
}
