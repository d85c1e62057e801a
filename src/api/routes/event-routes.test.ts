import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLine, parseEventTime } from './event-routes.js';

test('parseEventTime reads seconds, seconds.nanos and RFC 3339', () => {
  assert.equal(parseEventTime('1735689600', 'since'), 1735689600_000000000n);
  assert.equal(parseEventTime('1735689600.5', 'since'), 1735689600_500000000n);
  assert.equal(parseEventTime('1735689600.000000001', 'since'), 1735689600_000000001n);
  assert.equal(parseEventTime('2025-01-01T00:00:00Z', 'since'), 1735689600_000000000n);
  assert.equal(parseEventTime(null, 'since'), 0n);
  assert.throws(() => parseEventTime('yesterday', 'since'), /failed to parse/);
});

test('eventLine writes Docker\'s message shape with an exact timeNano', () => {
  const line = eventLine({
    type: 'container',
    action: 'die',
    actor: { id: 'abc', attributes: { image: 'busybox', name: 'x', exitCode: '1' } },
    timeNano: 1735689600_123456789n,
  });
  assert.ok(line.endsWith('"timeNano":1735689600123456789}\n'));
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed.status, 'die');
  assert.equal(parsed.id, 'abc');
  assert.equal(parsed.from, 'busybox');
  assert.equal(parsed.Type, 'container');
  assert.equal(parsed.Action, 'die');
  assert.deepEqual(parsed.Actor, { ID: 'abc', Attributes: { image: 'busybox', name: 'x', exitCode: '1' } });
  assert.equal(parsed.scope, 'local');
  assert.equal(parsed.time, 1735689600);
  const image = JSON.parse(eventLine({ type: 'image', action: 'tag', actor: { id: 'sha256:1', attributes: { name: 'a:b' } }, timeNano: 1n })) as Record<string, unknown>;
  assert.equal(image.status, undefined);
  assert.equal(image.Type, 'image');
});
