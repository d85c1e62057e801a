import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processWord, processWords } from './shell-lex.js';

const env = new Map([
  ['A', 'a'],
  ['E', ''],
  ['SP', 'x y'],
  ['PATH', '/bin'],
]);

const words: Array<[string, string]> = [
  ['$A', 'a'],
  ['${A}', 'a'],
  ['pre${A}post', 'preapost'],
  ['$Apost', ''],
  ['$UNSET', ''],
  ['${UNSET:-def}', 'def'],
  ['${E:-def}', 'def'],
  ['${E-def}', ''],
  ['${UNSET-def}', 'def'],
  ['${A:+alt}', 'alt'],
  ['${E:+alt}', ''],
  ['${E+alt}', 'alt'],
  ['${UNSET:-$A}', 'a'],
  ["'$A'", '$A'],
  ['"$A"', 'a'],
  ['"\\$A"', '$A'],
  ['\\$A', '$A'],
  ['"a\\nb"', 'a\\nb'],
  ['a\\ b', 'a b'],
  ['$', '$'],
  ['$1x', 'x'],
  ['"${A}:${PATH}"', 'a:/bin'],
  ['${A:-x y}', 'a'],
  ['"it\'s"', "it's"],
  ['trailing\\', 'trailing'],
];

for (const [input, want] of words) {
  test(`processWord expands ${JSON.stringify(input)} to ${JSON.stringify(want)}`, () => {
    assert.equal(processWord(input, env), want);
  });
}

test('processWord keeps whitespace', () => {
  assert.equal(processWord('a  b $SP', env), 'a  b x y');
});

test('processWords splits on unquoted whitespace and unquoted expansions', () => {
  assert.deepEqual(processWords('a "b c" $SP \'d e\'', env), ['a', 'b c', 'x', 'y', 'd e']);
  assert.deepEqual(processWords('"$SP"', env), ['x y']);
  assert.deepEqual(processWords('""', env), ['']);
});

test('processWord with the backtick escape', () => {
  assert.equal(processWord('C:`\\x `$A', env, '`'), 'C:\\x $A');
});

test('processWord fails on ${VAR:?msg} when unset and on unclosed quotes', () => {
  assert.throws(() => processWord('${UNSET:?need it}', env), /UNSET: need it/);
  assert.throws(() => processWord('"abc', env), /double-quote/);
  assert.throws(() => processWord("'abc", env), /single-quote/);
});

test('processWord in legacy mode refuses the modifiers dockerd 20.10 lacks', () => {
  assert.throws(() => processWord('${E-def}', env, '\\', { legacy: true }), /missing ':' in substitution/);
  assert.throws(() => processWord('${E:?x}', env, '\\', { legacy: true }), /unsupported modifier \(\?\) in substitution/);
  assert.equal(processWord('${E:-d}${A:+b}', env, '\\', { legacy: true }), 'db');
});
