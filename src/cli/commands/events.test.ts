import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localNanoTime, prettyEvent } from './events.js';

test('localNanoTime prints nanoseconds and the zone like Go RFC3339NanoFixed', () => {
  assert.equal(localNanoTime(1735689600_000000042n, 0), '2025-01-01T00:00:00.000000042Z');
  assert.equal(localNanoTime(1735689600_500000000n, 120), '2025-01-01T02:00:00.500000000+02:00');
  assert.equal(localNanoTime(1735689600_000000000n, -330), '2024-12-31T18:30:00.000000000-05:30');
});

test('prettyEvent prints type, action, actor and sorted attributes', () => {
  const line = prettyEvent({ Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { name: 'x', exitCode: '1', image: 'busybox' } } }, 1735689600_000000000n, 0);
  assert.equal(line, '2025-01-01T00:00:00.000000000Z container die abc (exitCode=1, image=busybox, name=x)\n');
});
