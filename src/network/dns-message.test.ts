import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAnswer, buildQuery, parseQuestion, RCODE_NXDOMAIN, TYPE_A, TYPE_AAAA } from './dns-message.js';

test('parseQuestion reads the id, name and type of a query', () => {
  const q = parseQuestion(buildQuery(0x1234, 'Web.Example'));
  assert.ok(q);
  assert.equal(q.id, 0x1234);
  assert.equal(q.name, 'web.example');
  assert.equal(q.type, TYPE_A);
  assert.equal(q.rd, true);
});

test('parseQuestion ignores responses and truncated messages', () => {
  const resp = buildQuery(1, 'a');
  resp.writeUInt16BE(0x8000, 2);
  assert.equal(parseQuestion(resp), undefined);
  assert.equal(parseQuestion(buildQuery(1, 'abc').subarray(0, 14)), undefined);
});

test('buildAnswer carries one A record per address after the echoed question', () => {
  const q = parseQuestion(buildQuery(7, 'web'))!;
  const a = buildAnswer(q, ['10.1.2.3', '10.1.2.4']);
  assert.equal(a.readUInt16BE(0), 7);
  assert.equal(a.readUInt16BE(2) & 0x8000, 0x8000);
  assert.equal(a.readUInt16BE(6), 2);
  const first = 12 + q.questionBytes.length;
  assert.deepEqual([...a.subarray(first + 12, first + 16)], [10, 1, 2, 3]);
  assert.equal(a.length, first + 32);
});

test('buildAnswer sets the response code for unknown names', () => {
  const q = parseQuestion(buildQuery(7, 'nope'))!;
  const a = buildAnswer(q, [], RCODE_NXDOMAIN);
  assert.equal(a.readUInt16BE(2) & 0xf, RCODE_NXDOMAIN);
  assert.equal(a.readUInt16BE(6), 0);
});

test('buildAnswer writes an AAAA record with 16 address bytes for IPv6 text', () => {
  const q = parseQuestion(buildQuery(9, 'web', TYPE_AAAA))!;
  assert.equal(q.type, TYPE_AAAA);
  const a = buildAnswer(q, ['fd00:abcd::2']);
  const first = 12 + q.questionBytes.length;
  assert.equal(a.readUInt16BE(6), 1);
  assert.equal(a.readUInt16BE(first + 2), TYPE_AAAA);
  assert.equal(a.readUInt16BE(first + 10), 16);
  assert.deepEqual([...a.subarray(first + 12, first + 28)], [0xfd, 0, 0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  assert.equal(a.length, first + 28);
});
