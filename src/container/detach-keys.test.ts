import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetachScanner, parseDetachKeys } from './detach-keys.js';

describe('parseDetachKeys', () => {
  it('parseDetachKeys turns ctrl names and single characters into bytes', () => {
    assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [0x10, 0x11]);
    assert.deepEqual([...parseDetachKeys('a,CTRL-@,ctrl-_')], [0x61, 0, 31]);
    assert.deepEqual([...parseDetachKeys('')], [0x10, 0x11]);
  });

  it('parseDetachKeys refuses unknown names', () => {
    assert.throws(() => parseDetachKeys('ctrl-pp'), /Unknown character: 'ctrl-pp'/);
    assert.throws(() => parseDetachKeys('esc'), /Invalid detach keys/);
  });
});

describe('DetachScanner', () => {
  it('DetachScanner passes ordinary input through', () => {
    const s = new DetachScanner();
    assert.deepEqual(s.push(Buffer.from('echo hi\n')), { forward: Buffer.from('echo hi\n'), detached: false });
  });

  it('DetachScanner detaches on the sequence and swallows it, even split across chunks', () => {
    const s = new DetachScanner();
    assert.deepEqual(s.push(Buffer.from([0x61, 0x10])), { forward: Buffer.from([0x61]), detached: false });
    assert.deepEqual(s.push(Buffer.from([0x11, 0x62])), { forward: Buffer.alloc(0), detached: true });
    assert.deepEqual(s.push(Buffer.from('more')), { forward: Buffer.alloc(0), detached: true });
  });

  it('DetachScanner releases a held prefix when the sequence breaks off', () => {
    const s = new DetachScanner();
    assert.deepEqual(s.push(Buffer.from([0x10])), { forward: Buffer.alloc(0), detached: false });
    assert.deepEqual(s.push(Buffer.from([0x78])), { forward: Buffer.from([0x10, 0x78]), detached: false });
    // ctrl-p ctrl-p ctrl-q: the first ctrl-p is data, the last two detach.
    const t = new DetachScanner();
    assert.deepEqual(t.push(Buffer.from([0x10, 0x10, 0x11])), { forward: Buffer.from([0x10]), detached: true });
  });

  it('DetachScanner handles a one-key sequence', () => {
    const s = new DetachScanner(Buffer.from([0x1d]));
    assert.deepEqual(s.push(Buffer.from([0x41, 0x1d, 0x42])), { forward: Buffer.from([0x41]), detached: true });
  });
});
