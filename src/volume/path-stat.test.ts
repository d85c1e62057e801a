import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePathStat, goFileMode, pathStat } from './path-stat.js';

test('goFileMode puts file types where Go os.FileMode has them', () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755); // 2147484141, as dockerd sends for a 0755 directory
  assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
  assert.equal(goFileMode(0o020666), 2 ** 26 + 2 ** 21 + 0o666);
  assert.equal(goFileMode(0o010644), 2 ** 25 + 0o644);
  assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755);
  assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777);
});

test('encodePathStat is base64 JSON with Docker field names', () => {
  const s = pathStat('f', { mode: 0o040700, size: 4096, mtime: new Date('2024-01-02T03:04:05Z') }, '');
  const decoded = JSON.parse(Buffer.from(encodePathStat(s), 'base64').toString()) as Record<string, unknown>;
  assert.deepEqual(decoded, { name: 'f', size: 4096, mode: 2147484096, mtime: '2024-01-02T03:04:05.000Z', linkTarget: '' });
});
