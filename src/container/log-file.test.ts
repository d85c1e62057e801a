import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { containerLogLimits, LogCursor, parseLogOptions, selectEntries } from './log-file.js';

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

test('LogCursor follows a log across rotations without losing or repeating lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-log-'));
  try {
    const path = join(dir, 'x.log');
    const l = (n: number) => line(`${n}\n`, 'stdout', '2026-01-01T00:00:01Z');
    writeFileSync(`${path}.1`, l(0));
    writeFileSync(path, l(1) + l(2));
    const cursor = new LogCursor(path);
    assert.deepEqual(cursor.readSync().map((e) => e.log), ['0\n', '1\n', '2\n']);
    appendFileSync(path, l(3));
    // Two rotations before the next read: x.log → .2 (with line 3 unread), a middle file → .1.
    renameSync(`${path}.1`, `${path}.3`);
    renameSync(path, `${path}.2`);
    writeFileSync(`${path}.1`, l(4));
    writeFileSync(path, l(5));
    assert.deepEqual(cursor.readSync().map((e) => e.log), ['3\n', '4\n', '5\n']);
    // Truncated in place (one file kept): read from the start again.
    writeFileSync(path, '');
    assert.deepEqual(cursor.readSync(), []);
    appendFileSync(path, l(6));
    assert.deepEqual(cursor.readSync().map((e) => e.log), ['6\n']);
    // A cursor made at the current end sees only what comes after, even across a rotation.
    const tail = new LogCursor(path, statSync(path).size);
    renameSync(path, `${path}.1`);
    writeFileSync(path, l(7));
    assert.deepEqual(tail.readSync().map((e) => e.log), ['7\n']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseLogOptions reads max-size and max-file and defaults to a 10 MiB x 3 cap', () => {
  assert.deepEqual(parseLogOptions(undefined), { maxSize: 10 * 1024 * 1024, maxFiles: 3 });
  assert.deepEqual(parseLogOptions({}), { maxSize: 10 * 1024 * 1024, maxFiles: 3 });
  assert.deepEqual(parseLogOptions({ 'max-size': '1m', 'max-file': '5' }), { maxSize: 1024 * 1024, maxFiles: 5 });
  assert.deepEqual(parseLogOptions({ 'max-size': '500k' }), { maxSize: 512000, maxFiles: 1 });
  assert.deepEqual(parseLogOptions({ 'max-size': '-1' }), { maxSize: 0, maxFiles: 1 });
  assert.throws(() => parseLogOptions({ 'max-size': 'big' }), /invalid size: 'big'/);
  assert.throws(() => parseLogOptions({ 'max-size': '1m', 'max-file': '0' }), /max-file cannot be less than 1/);
  assert.throws(() => parseLogOptions({ 'max-file': '3' }), /max-file cannot be set without max-size/);
  assert.throws(() => parseLogOptions({ colour: 'red' }), /unknown log opt 'colour' for json-file log driver/);
  assert.deepEqual(containerLogLimits({ LogConfig: { Type: 'json-file', Config: { 'max-size': '2k', 'max-file': '2' } } }), {
    maxSize: 2048,
    maxFiles: 2,
  });
});
