import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDockerfile } from './dockerfile-parser.js';

const one = (text: string) => {
  const [inst] = parseDockerfile(text).instructions;
  assert.ok(inst, 'no instruction parsed');
  return inst;
};

const cases: Array<{ name: string; text: string; keyword: string; args: string; original?: string; json?: string[]; flags?: string[] }> = [
  { name: 'simple FROM', text: 'FROM busybox', keyword: 'from', args: 'busybox' },
  { name: 'lower-case keyword', text: 'from busybox AS b', keyword: 'from', args: 'busybox AS b' },
  { name: 'shell form RUN', text: 'RUN echo hi', keyword: 'run', args: 'echo hi' },
  { name: 'exec form RUN', text: 'RUN ["echo", "hi"]', keyword: 'run', args: '["echo", "hi"]', json: ['echo', 'hi'] },
  { name: 'broken JSON stays shell form', text: 'CMD [echo, hi]', keyword: 'cmd', args: '[echo, hi]' },
  { name: 'continuation joins lines', text: 'RUN echo a \\\n  && echo b', keyword: 'run', args: 'echo a   && echo b', original: 'RUN echo a   && echo b' },
  { name: 'comment inside continuation is dropped', text: 'RUN echo a \\\n# note\n b', keyword: 'run', args: 'echo a  b' },
  { name: 'empty continuation line is skipped', text: 'RUN a \\\n\n b', keyword: 'run', args: 'a  b' },
  { name: 'flags are split off', text: 'COPY --from=build --chown=1:2 a /b', keyword: 'copy', args: 'a /b', flags: ['--from=build', '--chown=1:2'] },
  { name: 'leading whitespace ignored', text: '   ENV A=1', keyword: 'env', args: 'A=1' },
  { name: 'trailing spaces after backslash', text: 'RUN a \\  \n b', keyword: 'run', args: 'a  b' },
  { name: 'escape directive backtick', text: '# escape=`\nRUN a `\n b', keyword: 'run', args: 'a  b' },
  { name: 'syntax directive ignored', text: '# syntax=docker/dockerfile:1\nFROM x', keyword: 'from', args: 'x' },
  { name: 'tabs separate the keyword', text: 'RUN\techo', keyword: 'run', args: 'echo' },
  { name: 'CRLF line endings', text: 'FROM a\r\nRUN b\r\n', keyword: 'from', args: 'a' },
  { name: 'BOM stripped', text: '\uFEFFFROM a', keyword: 'from', args: 'a' },
];

for (const c of cases) {
  test(`parser handles ${c.name}`, () => {
    const inst = one(c.text);
    assert.equal(inst.keyword, c.keyword);
    assert.equal(inst.args, c.args);
    if (c.original !== undefined) assert.equal(inst.original, c.original);
    assert.deepEqual(inst.json, c.json);
    if (c.flags) assert.deepEqual(inst.flags, c.flags);
  });
}

test('parser counts lines and skips comments and blanks', () => {
  const p = parseDockerfile('# c\n\nFROM a\n\n# x\nRUN b\n');
  assert.deepEqual(p.instructions.map((i) => [i.keyword, i.line]), [['from', 3], ['run', 6]]);
});

test('parser directive after an instruction is a comment', () => {
  const p = parseDockerfile('FROM a\n# escape=`\nRUN b \\\n c');
  assert.equal(p.escape, '\\');
  assert.equal(p.instructions[1]?.args, 'b  c');
});

test('parser refuses an unknown instruction with its line', () => {
  assert.throws(() => parseDockerfile('FROM a\nFOO bar'), /dockerfile parse error line 2: unknown instruction: FOO/);
});

test('parser refuses a bad escape token', () => {
  assert.throws(() => parseDockerfile('# escape=x\nFROM a'), /invalid escape token 'x'/);
});

test('parser refuses JSON arrays of non-strings', () => {
  assert.throws(() => parseDockerfile('CMD [1, 2]'), /arrays must be comprised of strings only/);
});

test('parser reads heredocs and strips tabs for <<-', () => {
  const p = parseDockerfile('FROM a\nRUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-X /f\n\tline\n\tX\nCMD x');
  const run = p.instructions[1];
  assert.deepEqual(run?.heredocs, [{ name: 'EOF', chomp: false, expand: true, content: 'echo hi\necho there\n' }]);
  assert.equal(p.instructions[2]?.heredocs[0]?.content, 'line\n');
  assert.equal(p.instructions[3]?.keyword, 'cmd');
});

test('parser refuses an unterminated heredoc', () => {
  assert.throws(() => parseDockerfile('FROM a\nRUN <<EOF\necho\n'), /unterminated heredoc EOF/);
});

test('parser warns about empty continuation lines', () => {
  assert.equal(parseDockerfile('RUN a \\\n\n b').warnings.length, 1);
});

test('parser requires arguments for ENV', () => {
  assert.throws(() => parseDockerfile('ENV'), /ENV requires at least one argument/);
});
