/**
 * The few raw tar header fields the byte-level walkers (pax-xattrs.ts, tar-split.ts) read beside
 * tar-stream, which must agree with it on where each entry's data starts and ends. Pure.
 */
export const TAR_BLOCK = 512;

export function roundUpToBlock(n: number): number {
  return Math.ceil(n / TAR_BLOCK) * TAR_BLOCK;
}

/** The size field: octal, or base-256 when the high bit of the first byte is set (GNU large sizes). */
export function readTarSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let n = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const s = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return s === '' ? 0 : Number.parseInt(s, 8);
}

/** A directory entry ('5', or an old-style file whose name ends in "/"): tar-stream reads no data for it. */
export function isDirectoryHeader(header: Buffer): boolean {
  const flag = header[156] ?? 0;
  const nameEnd = header.indexOf(0);
  const endsWithSlash = header[(nameEnd < 0 || nameEnd > 100 ? 100 : nameEnd) - 1] === 0x2f;
  return flag === 0x35 || ((flag === 0 || flag === 0x30) && endsWithSlash);
}
