import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, nextDelay, restartPolicyError, type RestartContext } from './restart-policy.js';

const base: RestartContext = { manuallyStopped: false, restartCount: 0, daemonStarting: false, ranForMs: 500, previousDelayMs: 0 };
const policy = (name: string, maximumRetryCount = 0) => ({ name, maximumRetryCount });

describe('decideRestart', () => {
  it('decideRestart never restarts with policy no', () => {
    assert.deepEqual(decideRestart(policy('no'), 1, base), { kind: 'none' });
    assert.deepEqual(decideRestart(policy('no'), 1, { ...base, daemonStarting: true }), { kind: 'none' });
  });

  it('decideRestart restarts always after 100 ms on a first exit, even with code 0', () => {
    assert.deepEqual(decideRestart(policy('always'), 0, base), { kind: 'after', delayMs: 100 });
  });

  it('decideRestart keeps a stopped always container down until the daemon restarts', () => {
    assert.deepEqual(decideRestart(policy('always'), 137, { ...base, manuallyStopped: true }), { kind: 'none' });
    assert.deepEqual(decideRestart(policy('always'), 137, { ...base, manuallyStopped: true, daemonStarting: true }), { kind: 'now' });
  });

  it('decideRestart keeps a stopped unless-stopped container down even at daemon start', () => {
    assert.deepEqual(decideRestart(policy('unless-stopped'), 0, base), { kind: 'after', delayMs: 100 });
    assert.deepEqual(decideRestart(policy('unless-stopped'), 0, { ...base, manuallyStopped: true, daemonStarting: true }), { kind: 'none' });
    assert.deepEqual(decideRestart(policy('unless-stopped'), 9, { ...base, daemonStarting: true }), { kind: 'now' });
  });

  it('decideRestart restarts on-failure only for non-zero exits and up to the retry count', () => {
    assert.deepEqual(decideRestart(policy('on-failure'), 0, base), { kind: 'none' });
    assert.deepEqual(decideRestart(policy('on-failure', 2), 1, { ...base, restartCount: 1 }), { kind: 'after', delayMs: 100 });
    assert.deepEqual(decideRestart(policy('on-failure', 2), 1, { ...base, restartCount: 2 }), { kind: 'none' });
    assert.deepEqual(decideRestart(policy('on-failure'), 1, { ...base, restartCount: 500 }), { kind: 'after', delayMs: 100 });
    assert.deepEqual(decideRestart(policy('on-failure'), 1, { ...base, manuallyStopped: true }), { kind: 'none' });
  });

  it('decideRestart doubles the backoff and resets it after a 10 second run', () => {
    assert.deepEqual(decideRestart(policy('always'), 1, { ...base, previousDelayMs: 400 }), { kind: 'after', delayMs: 800 });
    assert.deepEqual(decideRestart(policy('always'), 1, { ...base, previousDelayMs: 400, ranForMs: 10_000 }), { kind: 'after', delayMs: 100 });
  });
});

describe('nextDelay', () => {
  it('nextDelay caps the backoff at one minute', () => {
    assert.equal(nextDelay(51_200, 0), 60_000);
    assert.equal(nextDelay(60_000, 0), 60_000);
    assert.equal(nextDelay(0, 0), 100);
  });
});

describe('restartPolicyError', () => {
  it('restartPolicyError accepts the four policies and refuses others with Docker wording', () => {
    for (const name of ['', 'no', 'always', 'on-failure', 'unless-stopped']) assert.equal(restartPolicyError({ Name: name }), undefined);
    assert.match(restartPolicyError({ Name: 'sometimes' }) ?? '', /unknown policy 'sometimes'/);
    assert.match(restartPolicyError({ Name: 'always', MaximumRetryCount: 3 }) ?? '', /can only be used with 'on-failure'/);
    assert.match(restartPolicyError({ Name: 'on-failure', MaximumRetryCount: -1 }) ?? '', /cannot be negative/);
    assert.equal(restartPolicyError({ Name: 'on-failure', MaximumRetryCount: 3 }), undefined);
  });
});
