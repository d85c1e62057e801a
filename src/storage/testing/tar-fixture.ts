import tar from 'tar-stream';

/** Test helper: builds a tar in memory, entry by entry, with tar-stream's packer. */
export interface FixtureEntry {
  /** type 'pax-header' packs the content as a PAX extended header ('x') for the next entry. */
  header: Omit<Partial<tar.Header>, 'type'> & { name: string; type?: tar.Header['type'] | 'pax-header' };
  content?: string | Buffer;
}

export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      const pax = e.header.type === 'pax-header';
      const header = { mode: 0o644, mtime: new Date(1_700_000_000_000), ...e.header, type: pax ? 'file' : e.header.type } as tar.Header;
      if (pax) header.name = `${PAX_MARK}${header.name}`;
      if (e.content !== undefined) pack.entry(header, e.content, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return markPaxHeaders(Buffer.concat(chunks));
}

const PAX_MARK = '@pax@';

/** tar-stream's packer refuses bodies for PAX headers, so they are packed as files and retyped here. */
function markPaxHeaders(buf: Buffer): Buffer {
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = Number.parseInt(h.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    if (h.subarray(0, PAX_MARK.length).toString('latin1') === PAX_MARK) {
      h[156] = 0x78; // 'x'
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return buf;
}

/** A PAX extended header body with raw (possibly binary) values. */
export function paxBody(records: Record<string, Buffer | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const kv = Buffer.concat([Buffer.from(` ${k}=`), Buffer.from(v), Buffer.from('\n')]);
    let len = kv.length + 1;
    while (String(len).length + kv.length !== len) len = String(len).length + kv.length;
    parts.push(Buffer.concat([Buffer.from(String(len)), kv]));
  }
  return Buffer.concat(parts);
}
