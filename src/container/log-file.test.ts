import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogCursor, selectEntries } from './log-file.js';

const line = (log: string, stream: string, time: string) => JSON.stringify({ log, stream, time }) + '\n';

test('LogCursor reads whole lines and resumes where it stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-log-'));
  try {
    const path = join(dir, 'x.log');
    const first = line('a\n', 'stdout', '2026-01-01T00:00:01Z');
    const second = line('b\n', 'stderr', '2026-01-01T00:00:02.5Z');
    writeFileSync(path, first + second.slice(0, 10));
    const cursor = new LogCursor(path);
    assert.deepEqual((await cursor.read()).map((e) => e.log), ['a\n']);
    appendFileSync(path, second.slice(10));
    assert.deepEqual(cursor.readSync().map((e) => [e.log, e.stream]), [['b\n', 'stderr']]);
    assert.deepEqual(await cursor.read(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('selectEntries filters by stream, time window and tail', () => {
  const entries = [
    { log: '1\n', stream: 'stdout' as const, time: '2026-01-01T00:00:01Z' },
    { log: '2\n', stream: 'stderr' as const, time: '2026-01-01T00:00:02Z' },
    { log: '3\n', stream: 'stdout' as const, time: '2026-01-01T00:00:03.000000001Z' },
  ];
  const all = { stdout: true, stderr: true, since: 0, until: 0, tail: undefined };
  assert.equal(selectEntries(entries, all).length, 3);
  assert.deepEqual(selectEntries(entries, { ...all, stderr: false }).map((e) => e.log), ['1\n', '3\n']);
  assert.deepEqual(selectEntries(entries, { ...all, tail: 1 }).map((e) => e.log), ['3\n']);
  assert.deepEqual(selectEntries(entries, { ...all, tail: 0 }), []);
  const t2 = Date.parse('2026-01-01T00:00:02Z') / 1000;
  assert.deepEqual(selectEntries(entries, { ...all, since: t2 }).map((e) => e.log), ['2\n', '3\n']);
  assert.deepEqual(selectEntries(entries, { ...all, until: t2 }).map((e) => e.log), ['1\n', '2\n']);
});
