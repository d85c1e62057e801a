import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanSize, progressBar, pullResult, pushAux, pushDigestLine, shortId, Throttle } from './progress-messages.js';

test('humanSize prints decimal units with four significant digits', () => {
  assert.equal(humanSize(512), '512B');
  assert.equal(humanSize(1024), '1.024kB');
  assert.equal(humanSize(213_000_000), '213MB');
  assert.equal(humanSize(1_500_000), '1.5MB');
});

test('progressBar draws a 50-wide bar and the sizes', () => {
  assert.equal(progressBar(512, 1024), `[${'='.repeat(25)}>${' '.repeat(25)}]     512B/1.024kB`);
  assert.equal(progressBar(1024, 1024), `[${'='.repeat(50)}>]  1.024kB/1.024kB`);
  assert.equal(progressBar(100, 0), '    100B');
});

test('push result lines match dockerd', () => {
  const d = 'sha256:' + 'ab'.repeat(32);
  assert.deepEqual(pushDigestLine('latest', d, 527), { status: `latest: digest: ${d} size: 527` });
  assert.deepEqual(pushAux('latest', d, 527), { progressDetail: {}, aux: { Tag: 'latest', Digest: d, Size: 527 } });
  assert.equal(shortId(d), 'abababababab');
});

test('pull result says whether the image was new', () => {
  assert.equal(pullResult('busybox:latest', true).status, 'Status: Downloaded newer image for busybox:latest');
  assert.equal(pullResult('busybox:latest', false).status, 'Status: Image is up to date for busybox:latest');
});

test('Throttle lets one update per interval through for each id', () => {
  const t = new Throttle(100);
  assert.equal(t.ready('a', 1000), true);
  assert.equal(t.ready('a', 1050), false);
  assert.equal(t.ready('b', 1050), true);
  assert.equal(t.ready('a', 1100), true);
});
