import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteBehind } from './write-behind.js';

test('add waits once more than maxCount are in flight, and settle waits for the rest', async () => {
  const wb = new WriteBehind(2, 1e9);
  let running = 0;
  let peak = 0;
  const job = async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(5);
    running--;
  };
  for (let i = 0; i < 7; i++) await wb.add(job(), 1);
  await wb.settle();
  assert.equal(running, 0);
  assert.ok(peak <= 3, `peak ${peak}`);
});

test('bytes held bound the work in flight too', async () => {
  const wb = new WriteBehind(100, 10);
  let running = 0;
  let peak = 0;
  const job = async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(3);
    running--;
  };
  for (let i = 0; i < 6; i++) await wb.add(job(), 6);
  await wb.settle();
  assert.ok(peak <= 2, `peak ${peak}`);
});

test('the first failure is thrown by the next add, throwIfFailed and settle; nothing is left unhandled', async () => {
  const wb = new WriteBehind(4, 1e9);
  await wb.add(Promise.reject(new Error('disk full')), 1);
  await sleep(1);
  assert.throws(() => wb.throwIfFailed(), /disk full/);
  await assert.rejects(wb.add(Promise.resolve(), 1), /disk full/);
  await assert.rejects(wb.settle(), /disk full/);
});
