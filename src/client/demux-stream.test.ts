import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { demuxStream, encodeFrame, StreamSystemError } from './demux-stream.js';

test('demuxStream splits frames across arbitrary chunk boundaries', async () => {
  const input = Buffer.concat([encodeFrame(1, 'hello '), encodeFrame(2, 'oops\n'), encodeFrame(1, 'world\n'), encodeFrame(1, '')]);
  const s = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  const done = demuxStream(s, (d) => out.push(d.toString()), (d) => err.push(d.toString()));
  for (let i = 0; i < input.length; i += 3) s.write(input.subarray(i, i + 3));
  s.end();
  await done;
  assert.equal(out.join(''), 'hello world\n');
  assert.equal(err.join(''), 'oops\n');
});

test('demuxStream rejects with the message of a system error frame', async () => {
  const s = new PassThrough();
  const done = demuxStream(s, () => undefined, () => undefined);
  s.end(Buffer.concat([encodeFrame(1, 'x'), encodeFrame(3, 'log driver failed')]));
  await assert.rejects(done, (e: unknown) => e instanceof StreamSystemError && e.message === 'log driver failed');
});

test('encodeFrame writes the 8-byte header with a big-endian size', () => {
  assert.deepEqual([...encodeFrame(2, 'abc')], [2, 0, 0, 0, 0, 0, 0, 3, 97, 98, 99]);
});
