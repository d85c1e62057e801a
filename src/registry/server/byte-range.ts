/**
 * The two range headers of the distribution API: `Range: bytes=a-b` on blob GET (RFC 9110, one
 * range only, as registries serve layers) and `Content-Range: a-b` on upload PATCH (no "bytes"
 * unit, inclusive end, as the distribution spec writes it).
 */
export type ByteRange = { start: number; end: number };

/**
 * undefined: no usable Range header (serve the whole body); 'unsatisfiable': answer 416;
 * otherwise the inclusive range clamped to the blob.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges and other units are legal HTTP a server may ignore: send the whole blob.
  if (m === null) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return 'unsatisfiable';
  return { start, end };
}

/** `Content-Range: <start>-<end>` of a chunk; undefined when absent, 'invalid' when malformed. */
export function parseContentRange(header: string | undefined): ByteRange | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (m === null) return 'invalid';
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return 'invalid';
  return { start, end };
}

/** The `Range` header an upload status reports: "0-<last byte>", and "0-0" while empty, as distribution sends. */
export const uploadRangeHeader = (size: number): string => `0-${Math.max(0, size - 1)}`;
