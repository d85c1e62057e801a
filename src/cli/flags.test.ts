import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, Flags, parseFlags, type FlagSpec } from './flags.js';

const SPECS: FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'publish', short: 'p', type: 'list' },
  { name: 'name', type: 'string' },
  { name: 'last', short: 'n', type: 'int' },
  { name: 'init', type: 'bool', unsupported: true },
];

test('flags stop at the first positional when not interspersed', () => {
  const f = new Flags(parseFlags(['-it', 'img', 'sh', '-c', 'echo -e hi', '--name', 'x'], SPECS, false));
  assert.equal(f.bool('interactive'), true);
  assert.equal(f.bool('tty'), true);
  assert.deepEqual(f.args, ['img', 'sh', '-c', 'echo -e hi', '--name', 'x']);
  assert.equal(f.has('name'), false);
});

test('flags after positionals are parsed when interspersed', () => {
  const f = new Flags(parseFlags(['a', '--name', 'x', 'b'], SPECS, true));
  assert.deepEqual(f.args, ['a', 'b']);
  assert.equal(f.string('name'), 'x');
});

test('repeatable flags collect every value in order, attached or separate', () => {
  const f = new Flags(parseFlags(['-e', 'A=1', '-eB=2', '--env=C=3', '-e=D=4', 'img'], SPECS, false));
  assert.deepEqual(f.list('env'), ['A=1', 'B=2', 'C=3', 'D=4']);
});

test('double dash ends flag parsing', () => {
  const f = new Flags(parseFlags(['--', '-i', 'x'], SPECS, true));
  assert.deepEqual(f.args, ['-i', 'x']);
  assert.equal(f.bool('interactive'), false);
});

test('unknown flags are refused with pflag wording', () => {
  assert.throws(() => parseFlags(['--foo'], SPECS, true), { message: 'unknown flag: --foo' });
  assert.throws(() => parseFlags(['-x'], SPECS, true), { message: "unknown shorthand flag: 'x' in -x" });
  assert.throws(() => parseFlags(['-n'], SPECS, true), { message: "flag needs an argument: 'n' in -n" });
  assert.throws(() => parseFlags(['--name'], SPECS, true), { message: 'flag needs an argument: --name' });
});

test('int flags reject non-numbers like strconv.ParseInt', () => {
  assert.throws(() => parseFlags(['-n', 'x'], SPECS, true), {
    message: 'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax',
  });
  assert.equal(new Flags(parseFlags(['-n', '3'], SPECS, true)).int('last'), 3);
});

test('unsupported docker flags are refused, not ignored', () => {
  assert.throws(() => parseFlags(['--init', 'img'], SPECS, false), (e: unknown) => e instanceof FlagError && /--init/.test(e.message));
});

test('bool flags accept an explicit value', () => {
  const f = new Flags(parseFlags(['--tty=false', '-i=true'], SPECS, true));
  assert.equal(f.bool('tty'), false);
  assert.equal(f.bool('interactive'), true);
  assert.equal(f.has('tty'), true);
});
