import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import { allSignals, isValidSignal, parseSignal, signalName } from './signals.js';

test('parseSignal accepts names with and without SIG in any case', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('sigkill'), 9);
  assert.equal(parseSignal('kill'), 9);
  assert.equal(parseSignal('SigHup'), 1);
  assert.equal(parseSignal('WINCH'), 28);
  assert.equal(parseSignal('SIGSTKFLT'), 16);
  assert.equal(parseSignal('SIGPWR'), 30);
  assert.equal(parseSignal('SIGSYS'), 31);
});

test('parseSignal accepts the aliases IOT, CLD and POLL', () => {
  assert.equal(parseSignal('SIGIOT'), 6);
  assert.equal(parseSignal('CLD'), 17);
  assert.equal(parseSignal('POLL'), 29);
});

test('parseSignal accepts numbers', () => {
  assert.equal(parseSignal('15'), 15);
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('64'), 64);
  assert.equal(parseSignal('+2'), 2);
});

test('parseSignal knows the real-time signals by Docker names', () => {
  assert.equal(parseSignal('SIGRTMIN'), 34);
  assert.equal(parseSignal('RTMIN+1'), 35);
  assert.equal(parseSignal('sigrtmin+15'), 49);
  assert.equal(parseSignal('RTMAX-14'), 50);
  assert.equal(parseSignal('SIGRTMAX-1'), 63);
  assert.equal(parseSignal('SIGRTMAX'), 64);
});

test('parseSignal rejects unknown names and zero with Docker wording', () => {
  for (const bad of ['SIGFOO', 'FOO', '', '0', 'RTMIN+16', 'RTMAX-15', 'SIG', ' 15', '1.5']) {
    assert.throws(
      () => parseSignal(bad),
      (err: unknown) => isEngineError(err, 'InvalidParameter') && err.message === `Invalid signal: ${bad}`,
      bad,
    );
  }
});

test('parseSignal rejects numbers Linux does not know like dockerd does', () => {
  for (const [bad, n] of [['65', 65], ['99', 99], ['-1', -1]] as const) {
    assert.throws(
      () => parseSignal(bad),
      (err: unknown) =>
        isEngineError(err, 'InvalidParameter') && err.message === `the linux daemon does not support signal ${n}`,
    );
  }
});

test('signalName gives the canonical name back', () => {
  assert.equal(signalName(15), 'SIGTERM');
  assert.equal(signalName(6), 'SIGABRT');
  assert.equal(signalName(17), 'SIGCHLD');
  assert.equal(signalName(29), 'SIGIO');
  assert.equal(signalName(34), 'SIGRTMIN');
  assert.equal(signalName(36), 'SIGRTMIN+2');
  assert.equal(signalName(50), 'SIGRTMAX-14');
  assert.equal(signalName(64), 'SIGRTMAX');
  assert.equal(signalName(0), undefined);
  assert.equal(signalName(32), undefined);
  assert.equal(signalName(65), undefined);
});

test('signal names round-trip through parseSignal for every known signal', () => {
  const all = allSignals();
  assert.equal(all.length, 31 + 31); // 1..31 and 34..64
  for (const { name, number } of all) {
    assert.equal(parseSignal(name), number);
    assert.equal(signalName(number), name);
    assert.ok(isValidSignal(number));
  }
  assert.ok(!isValidSignal(32));
  assert.ok(!isValidSignal(33));
});
