import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEventFilters, eventMatches } from './event-filter.js';
import { EventLog, type EngineEvent } from './event-log.js';

describe('EventLog', () => {
  it('EventLog gives strictly increasing times even within one clock tick', () => {
    const log = new EventLog(10, () => 5n);
    const a = log.record('container', 'create', 'a');
    const b = log.record('container', 'start', 'a');
    assert.equal(a.timeNano, 5n);
    assert.equal(b.timeNano, 6n);
  });

  it('EventLog replays only events inside since/until and forgets beyond its capacity', () => {
    let now = 0n;
    const log = new EventLog(3, () => (now += 10n));
    for (const action of ['create', 'attach', 'start', 'die']) log.record('container', action, 'x');
    assert.deepEqual(log.replay(0n).map((e) => e.action), ['attach', 'start', 'die']);
    assert.deepEqual(log.replay(30n, 30n).map((e) => e.action), ['start']);
  });

  it('EventLog delivers new events to subscribers until they unsubscribe', () => {
    const log = new EventLog();
    const seen: string[] = [];
    const off = log.subscribe((e) => seen.push(e.action));
    log.record('image', 'tag', 'sha256:1');
    off();
    log.record('image', 'untag', 'sha256:1');
    assert.deepEqual(seen, ['tag']);
    assert.equal(log.subscriberCount, 0);
  });
});

const ev = (type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string>): EngineEvent => ({
  type,
  action,
  actor: { id, attributes },
  timeNano: 1n,
});
const f = (o: Record<string, string[]>) => new Map(Object.entries(o));

describe('eventMatches', () => {
  const die = ev('container', 'die', 'abcdef0123', { name: 'web', image: 'busybox:latest', exitCode: '1', 'com.example.role': 'db' });
  const tag = ev('image', 'tag', 'sha256:ff', { name: 'busybox:latest' });

  it('eventMatches passes everything without filters', () => {
    assert.ok(eventMatches(f({}), die));
    assert.ok(eventMatches(f({}), tag));
  });

  it('eventMatches filters by type and event action', () => {
    assert.ok(eventMatches(f({ type: ['container'], event: ['die', 'start'] }), die));
    assert.ok(!eventMatches(f({ type: ['container'] }), tag));
    assert.ok(!eventMatches(f({ event: ['start'] }), die));
  });

  it('eventMatches matches containers by name or ID prefix and drops other types', () => {
    assert.ok(eventMatches(f({ container: ['web'] }), die));
    assert.ok(eventMatches(f({ container: ['abcd'] }), die));
    assert.ok(!eventMatches(f({ container: ['db'] }), die));
    assert.ok(!eventMatches(f({ container: ['web'] }), tag));
  });

  it('eventMatches matches labels as key or key=value against the attributes', () => {
    assert.ok(eventMatches(f({ label: ['com.example.role'] }), die));
    assert.ok(eventMatches(f({ label: ['com.example.role=db'] }), die));
    assert.ok(!eventMatches(f({ label: ['com.example.role=web'] }), die));
  });

  it('eventMatches matches images with or without their tag', () => {
    assert.ok(eventMatches(f({ image: ['busybox'] }), die));
    assert.ok(eventMatches(f({ image: ['busybox:latest'] }), tag));
    assert.ok(!eventMatches(f({ image: ['alpine'] }), die));
  });

  it('eventMatches matches exec events by the action before the command', () => {
    const exec = ev('container', 'exec_start: sh -c true', 'abc', { execID: 'e1' });
    assert.ok(eventMatches(f({ event: ['exec_start'] }), exec));
    assert.ok(!eventMatches(f({ event: ['die'] }), exec));
  });

  it('checkEventFilters refuses unknown keys', () => {
    assert.throws(() => checkEventFilters(f({ colour: ['red'] })), /invalid filter 'colour'/);
    checkEventFilters(f({ type: ['container'], label: ['a'] }));
  });
});
