import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createZstdDecompress } from './zstd-decompress.js';

const hasZstd = (() => {
  try {
    execFileSync('zstd', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

test('zstd decompress streams what the zstd tool compressed, in small chunks', { skip: hasZstd ? false : 'the zstd tool is not installed' }, async () => {
  const plain = Buffer.concat([randomBytes(300_000), Buffer.alloc(2_000_000, 'a')]);
  const packed = execFileSync('zstd', ['-c', '-3'], { input: plain, maxBuffer: 64 * 1024 * 1024 });
  const chunks: Buffer[] = [];
  for (let i = 0; i < packed.length; i += 4096) chunks.push(packed.subarray(i, i + 4096));
  const out = await buffer(Readable.from(chunks).pipe(createZstdDecompress()));
  assert.ok(out.equals(plain));
});

test('zstd decompress fails cleanly on corrupt data', async () => {
  const bad = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(200)]);
  await assert.rejects(buffer(Readable.from([bad]).pipe(createZstdDecompress())), /invalid zstd data/);
});
