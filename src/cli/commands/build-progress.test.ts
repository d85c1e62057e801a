import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildProgress } from './build-progress.js';

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function render(chunks: string[], fail = false): string {
  let out = '';
  let t = 1000;
  const p = new BuildProgress(
    (s) => (out += s),
    () => (t += 500),
  );
  for (const c of chunks) p.stream(c);
  if (fail) p.failed();
  return plain(out);
}

describe('BuildProgress', () => {
  it('BuildProgress shows steps as n/N with times, marks cached ones and summarizes', () => {
    const out = render([
      'Step 1/3 : FROM busybox\n',
      ' ---> 0123456789ab\n',
      'Step 2/3 : WORKDIR /app\n',
      ' ---> Using cache\n',
      ' ---> 1123456789ab\n',
      'Step 3/3 : RUN echo hi\n',
      ' ---> Running in 2123456789ab\n',
      'h',
      'i\n',
      'Removing intermediate container 2123456789ab\n',
      ' ---> 3123456789ab\n',
      'Successfully built 3123456789ab\n',
      'Successfully tagged app:latest\n',
    ]);
    assert.equal(
      out,
      [
        '[1/3] FROM busybox',
        '    0.5s',
        '[2/3] WORKDIR /app',
        '    ↺ cached',
        '[3/3] RUN echo hi',
        '    hi',
        '    0.5s',
        '✔ built 3123456789ab in 3.0s (3 steps, 1 cached)',
        '  tagged app:latest',
        '',
      ].join('\n'),
    );
  });

  it('BuildProgress closes the running step when the build fails', () => {
    const out = render(['Step 1/2 : FROM busybox\n', ' ---> 0123456789ab\n', 'Step 2/2 : RUN false\n', ' ---> Running in 2123456789ab\n', 'partial'], true);
    assert.match(out, /\[2\/2\] RUN false\n {4}partial\n {4}✘ failed after 0\.5s\n$/);
  });
});
