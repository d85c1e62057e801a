import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerSizes, dfTypes, imageUsage } from './system-df.js';

describe('system df planning', () => {
  it('dfTypes asks for everything without a type or before API 1.42', () => {
    assert.deepEqual([...dfTypes(new URLSearchParams(''), '1.50')].sort(), ['build-cache', 'container', 'image', 'volume']);
    assert.equal(dfTypes(new URLSearchParams('type=image'), '1.41').size, 4);
  });

  it('dfTypes keeps only the named types on API 1.42 and later', () => {
    assert.deepEqual([...dfTypes(new URLSearchParams('type=image&type=volume'), '1.50')].sort(), ['image', 'volume']);
  });

  it('dfTypes refuses an unknown type with moby wording', () => {
    assert.throws(() => dfTypes(new URLSearchParams('type=bogus'), '1.50'), /unknown object type: bogus/);
  });

  it('imageUsage counts shared layers, sizes and containers per image', () => {
    const u = imageUsage(
      [
        { id: 'i1', layers: [{ chainId: 'L1', size: 100 }, { chainId: 'L2', size: 10 }] },
        { id: 'i2', layers: [{ chainId: 'L1', size: 100 }, { chainId: 'L3', size: 7 }] },
        { id: 'i3', layers: [{ chainId: 'L4', size: 5 }] },
      ],
      ['i1', 'i1', 'i3'],
    );
    assert.deepEqual(u.get('i1'), { size: 110, sharedSize: 100, containers: 2 });
    assert.deepEqual(u.get('i2'), { size: 107, sharedSize: 100, containers: 0 });
    assert.deepEqual(u.get('i3'), { size: 5, sharedSize: 0, containers: 1 });
  });

  it('containerSizes leaves out a zero SizeRw as dockerd does', () => {
    assert.deepEqual(containerSizes(0, 50), { SizeRootFs: 50 });
    assert.deepEqual(containerSizes(20, 50), { SizeRw: 20, SizeRootFs: 70 });
    assert.deepEqual(containerSizes(0, 0), {});
  });
});
