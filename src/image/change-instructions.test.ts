import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import { applyChanges, words } from './change-instructions.js';

test('change instructions turn shell-form CMD and ENTRYPOINT into /bin/sh -c', () => {
  const c = applyChanges({}, ['CMD echo hi', 'ENTRYPOINT ["/init", "--x"]']);
  assert.deepEqual(c.Cmd, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(c.Entrypoint, ['/init', '--x']);
});

test('change instructions ENTRYPOINT alone clears an inherited CMD', () => {
  const c = applyChanges({ Cmd: ['sh'] }, ['entrypoint /bin/app']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/bin/app']);
  assert.equal(c.Cmd, null);
});

test('change instructions ENV accepts both forms, quotes and expansion', () => {
  const c = applyChanges({ Env: ['PATH=/bin'] }, ['ENV a=b c="d e"', 'ENV legacy some value', 'ENV PATH=$PATH:/x X=${a}-${missing:-dflt}']);
  assert.deepEqual(c.Env, ['a=b', 'c=d e', 'legacy=some value', 'PATH=/bin:/x', 'X=b-dflt']);
});

test('change instructions set WORKDIR, USER, LABEL, EXPOSE, VOLUME, STOPSIGNAL and ONBUILD', () => {
  const c = applyChanges({}, [
    'WORKDIR /app',
    'WORKDIR sub',
    'USER 1000:1000',
    'LABEL a=1 "b c"=2',
    'EXPOSE 80 53/udp 8000-8001',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /cache',
    'STOPSIGNAL SIGINT',
    'ONBUILD RUN echo hi',
  ]);
  assert.equal(c.WorkingDir, '/app/sub');
  assert.equal(c.User, '1000:1000');
  assert.deepEqual(c.Labels, { a: '1', 'b c': '2' });
  assert.deepEqual(Object.keys(c.ExposedPorts ?? {}), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
  assert.deepEqual(Object.keys(c.Volumes ?? {}), ['/data', '/logs', '/cache']);
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.OnBuild, ['RUN echo hi']);
});

test('change instructions parse HEALTHCHECK with flags', () => {
  const c = applyChanges({}, ['HEALTHCHECK --interval=5s --retries=3 CMD ["curl", "-f", "localhost"]']);
  assert.deepEqual(c.Healthcheck, { Interval: 5e9, Retries: 3, Test: ['CMD', 'curl', '-f', 'localhost'] });
  assert.deepEqual(applyChanges({}, ['HEALTHCHECK NONE']).Healthcheck, { Test: ['NONE'] });
});

test('change instructions reject other instructions with Docker wording', () => {
  for (const [line, msg] of [
    ['RUN echo', 'run is not a valid change command'],
    ['FROM x', 'from is not a valid change command'],
    ['ADD a b', 'add is not a valid change command'],
  ]) {
    assert.throws(() => applyChanges({}, [line as string]), (e: unknown) => isEngineError(e, 'InvalidParameter') && e.message === msg);
  }
  assert.throws(() => applyChanges({}, ['ONBUILD ONBUILD RUN x']), /Chaining ONBUILD/);
  assert.throws(() => applyChanges({}, ['EXPOSE abc']), /Invalid containerPort/);
});

test('change instructions leave the input config unchanged', () => {
  const base = { Env: ['A=1'] };
  applyChanges(base, ['ENV A=2']);
  assert.deepEqual(base, { Env: ['A=1'] });
});

test('change instructions words handles escapes and single quotes literally', () => {
  assert.deepEqual(words(`a\\ b 'c $X' "d $X"`, new Map([['X', 'x']])), ['a b', 'c $X', 'd x']);
});
