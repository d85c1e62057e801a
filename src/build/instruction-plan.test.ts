import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerConfigFields } from '../image/image-config.js';
import { BuildArgs } from './build-args.js';
import { cacheKey } from './build-cache.js';
import { neededStages, planStages } from './build-stages.js';
import { parseDockerfile } from './dockerfile-parser.js';
import { planInstruction, type StageState, type StepPlan } from './instruction-plan.js';

function stage(config: ContainerConfigFields = { Env: ['PATH=/bin'] }, supplied: Record<string, string> = {}): StageState {
  return { config: structuredClone(config), args: new BuildArgs(new Map(Object.entries(supplied))), escape: '\\', cmdSet: false };
}

function run(lines: string, st = stage()): { plans: StepPlan[]; st: StageState } {
  const plans = parseDockerfile(lines).instructions.map((i) => planInstruction(i, st));
  return { plans, st };
}

const last = (plans: StepPlan[]) => plans[plans.length - 1] as StepPlan;

const history: Array<[string, string]> = [
  ['ENV A=1 B="two words"', '/bin/sh -c #(nop)  ENV A=1 B=two words'],
  ['ENV A 1 2', '/bin/sh -c #(nop)  ENV A=1 2'],
  ['LABEL a=b', '/bin/sh -c #(nop)  LABEL a=b'],
  // dockerd 20.10 sorts the words as written (recorded: EXPOSE 80 443/tcp 53/udp $P → $P first).
  ['EXPOSE 80 443/udp', '/bin/sh -c #(nop)  EXPOSE 443/udp 80'],
  ['CMD ["echo","hi"]', '/bin/sh -c #(nop)  CMD ["echo" "hi"]'],
  ['CMD echo "hi"', '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo \\"hi\\""]'],
  ['ENTRYPOINT ["/x"]', '/bin/sh -c #(nop)  ENTRYPOINT ["/x"]'],
  ['USER nobody', '/bin/sh -c #(nop)  USER nobody'],
  ['VOLUME /data /logs', '/bin/sh -c #(nop)  VOLUME [/data /logs]'],
  ['STOPSIGNAL SIGKILL', '/bin/sh -c #(nop)  STOPSIGNAL SIGKILL'],
  ['WORKDIR /app', '/bin/sh -c #(nop) WORKDIR /app'],
  ['ARG V=1', '/bin/sh -c #(nop)  ARG V=1'],
  ['ARG V', '/bin/sh -c #(nop)  ARG V'],
  ['SHELL ["/bin/bash", "-c"]', '/bin/bash -c #(nop)  SHELL [/bin/bash -c]'],
  ['MAINTAINER me <me@x>', '/bin/sh -c #(nop)  MAINTAINER me <me@x>'],
  ['ONBUILD RUN echo x', '/bin/sh -c #(nop)  ONBUILD RUN echo x'],
  ['RUN echo hi', '/bin/sh -c echo hi'],
  ['RUN ["echo", "hi"]', 'echo hi'],
  ['HEALTHCHECK --interval=5s CMD true', '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" \'\\x00\'}'],
];

for (const [line, want] of history) {
  test(`plan records ${JSON.stringify(line)} in history as Docker does`, () => {
    assert.equal(last(run(line).plans).createdBy, want);
  });
}

test('plan ENV expands earlier variables and replaces keys in place', () => {
  const { st } = run('ENV A=1\nENV B=$A-x PATH=/usr/bin:$PATH');
  assert.deepEqual(st.config.Env, ['PATH=/usr/bin:/bin', 'A=1', 'B=1-x']);
});

test('plan WORKDIR resolves relative paths against the previous one', () => {
  const { st, plans } = run('WORKDIR /a\nWORKDIR b/../c\nENV D=/d\nWORKDIR $D');
  assert.deepEqual(plans.filter((p) => p.kind === 'workdir').map((p) => (p.kind === 'workdir' ? p.dir : '')), ['/a', '/a/c', '/d']);
  assert.equal(st.config.WorkingDir, '/d');
});

test('plan ENTRYPOINT drops an inherited CMD but keeps one set in the stage', () => {
  assert.equal(run('ENTRYPOINT ["x"]', stage({ Cmd: ['old'] })).st.config.Cmd, null);
  assert.deepEqual(run('CMD ["c"]\nENTRYPOINT ["x"]', stage({ Cmd: ['old'] })).st.config.Cmd, ['c']);
});

test('plan SHELL changes the shell of later shell-form steps', () => {
  const p = last(run('SHELL ["/bin/bash", "-c"]\nRUN echo hi').plans);
  assert.equal(p.kind === 'run' ? p.cmd.join('|') : '', '/bin/bash|-c|echo hi');
});

test('plan RUN prefixes build args in history and passes them as env', () => {
  const st = stage({ Env: ['PATH=/bin'] }, { V: 'from-cli', HTTP_PROXY: 'http://p' });
  const p = last(run('ARG V=dflt\nARG W=w\nRUN make', st).plans);
  assert.equal(p.createdBy, '|2 V=from-cli W=w /bin/sh -c make');
  assert.deepEqual(p.kind === 'run' ? p.env : [], ['PATH=/bin', 'V=from-cli', 'W=w', 'HTTP_PROXY=http://p']);
});

test('plan ENV overrides an ARG of the same name', () => {
  const p = last(run('ARG V=a\nENV V=b\nRUN x', stage({}, {})).plans);
  assert.equal(p.createdBy, '/bin/sh -c x');
});

test('plan expands ARG values in later instructions, not in RUN text', () => {
  const { st, plans } = run('ARG DIR=/opt\nWORKDIR $DIR\nRUN echo $DIR');
  assert.equal(st.config.WorkingDir, '/opt');
  assert.equal(last(plans).createdBy, '|1 DIR=/opt /bin/sh -c echo $DIR');
});

test('plan RUN heredoc alone runs the heredoc body', () => {
  const p = last(run('RUN <<EOF\necho a\nEOF').plans);
  assert.deepEqual(p.kind === 'run' ? p.cmd : [], ['/bin/sh', '-c', 'echo a\n']);
});

test('plan COPY reads flags and expands sources and destination', () => {
  const p = last(run('ENV D=/dst\nCOPY --chown=1:2 --chmod=644 a $D/').plans);
  assert.equal(p.kind, 'copy');
  if (p.kind !== 'copy') return;
  assert.deepEqual([p.sources, p.dest, p.chown, p.chmod], [['a'], '/dst/', '1:2', '644']);
});

test('plan refuses unknown flags and a lone COPY argument', () => {
  assert.throws(() => run('COPY --bogus=1 a b'), /Unknown flag: bogus/);
  assert.throws(() => run('COPY a'), /requires at least two arguments/);
  assert.throws(() => run('RUN --mount=type=cache x'), /Unknown flag: mount/);
});

test('plan refuses ONBUILD chains and ENV without =', () => {
  assert.throws(() => run('ONBUILD ONBUILD RUN x'), /Chaining ONBUILD/);
  assert.throws(() => run('ENV A=1 B'), /can't find = in "B"/);
});

test('build args report the ones no ARG used', () => {
  const args = new BuildArgs(new Map([['USED', '1'], ['UNUSED', '2'], ['HTTP_PROXY', 'p']]));
  args.declare('USED', undefined);
  assert.deepEqual(args.unconsumed(), ['UNUSED']);
});

test('stages: meta args, target truncation, step count and --label', () => {
  const parsed = parseDockerfile('ARG V=1\nFROM a AS one\nRUN x\nFROM one AS two\nRUN y\nFROM c\n');
  const plan = planStages(parsed, { target: 'two', labels: { z: '1', a: 'b c' } });
  assert.equal(plan.stages.length, 2);
  assert.equal(plan.total, 1 + 2 + 1 + 2);
  assert.equal(plan.stages[1]?.commands[1]?.original, `LABEL "a"='b c' "z"='1'`);
  assert.throws(() => planStages(parsed, { target: 'nope' }), /failed to reach build target nope/);
  assert.throws(() => planStages(parseDockerfile('RUN x')), /no build stage/);
});

test('cache key changes with every input and not with key order', () => {
  const base = { parent: 'sha256:p', createdBy: '/bin/sh -c x', config: { Env: ['A=1'], User: '' } };
  const k = cacheKey(base);
  assert.equal(k, cacheKey({ ...base, config: { User: '', Env: ['A=1'] } }));
  assert.notEqual(k, cacheKey({ ...base, parent: 'sha256:q' }));
  assert.notEqual(k, cacheKey({ ...base, createdBy: '/bin/sh -c y' }));
  assert.notEqual(k, cacheKey({ ...base, config: { Env: ['A=2'], User: '' } }));
  assert.notEqual(k, cacheKey({ ...base, extra: { chown: '1' } }));
});

test('stages the target does not need are skipped, as BuildKit does', () => {
  const df = 'FROM busybox AS a\nRUN a\nFROM busybox AS b\nRUN b\nFROM busybox AS c\nCOPY --from=1 /b /b\nFROM busybox\nCOPY --from=c /c /c\n';
  assert.deepEqual(planStages(parseDockerfile(df)).stages.map((s) => s.index), [1, 2, 3]);
  assert.deepEqual(planStages(parseDockerfile(df), { target: 'b' }).stages.map((s) => s.index), [1]);
  assert.equal(planStages(parseDockerfile(df), { target: 'b' }).total, 2);
  // FROM $X through a meta arg, and a --from with a variable keeps every earlier stage.
  const viaArg = 'ARG S=b\nFROM busybox AS a\nFROM busybox AS b\nFROM $S\n';
  assert.deepEqual(planStages(parseDockerfile(viaArg), { expand: (w) => w.replace('$S', 'b') }).stages.map((s) => s.index), [1, 2]);
  assert.deepEqual(neededStages(planStages(parseDockerfile('FROM x AS a\nFROM x AS b\nFROM x\nCOPY --from=$V /a /a\n')).stages), new Set([0, 1, 2]));
});
