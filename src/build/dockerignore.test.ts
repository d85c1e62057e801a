import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IgnoreMatcher, readIgnoreFile } from './dockerignore.js';

test('readIgnoreFile cleans patterns as Docker does', () => {
  assert.deepEqual(readIgnoreFile('# comment\n\n /abs \nfoo/\n! keep \n./a/../b\n'), ['abs', 'foo', '!keep', 'b']);
});

const cases: Array<{ patterns: string; path: string; ignored: boolean }> = [
  { patterns: 'a.txt', path: 'a.txt', ignored: true },
  { patterns: 'a.txt', path: 'b.txt', ignored: false },
  { patterns: '*.txt', path: 'a.txt', ignored: true },
  { patterns: '*.txt', path: 'd/a.txt', ignored: false },
  { patterns: '*/*.txt', path: 'd/a.txt', ignored: true },
  { patterns: '**/*.txt', path: 'd/e/a.txt', ignored: true },
  { patterns: '**/*.txt', path: 'a.txt', ignored: true },
  { patterns: 'd', path: 'd/e/f', ignored: true },
  { patterns: 'd/**', path: 'd/e/f', ignored: true },
  { patterns: 'd/**', path: 'd', ignored: false },
  { patterns: '*\n!keep.txt', path: 'keep.txt', ignored: false },
  { patterns: '*\n!keep.txt', path: 'other', ignored: true },
  { patterns: '!keep.txt\n*', path: 'keep.txt', ignored: true },
  { patterns: 'a?c', path: 'abc', ignored: true },
  { patterns: 'a?c', path: 'a/c', ignored: false },
  { patterns: '[a-c].md', path: 'b.md', ignored: true },
  { patterns: '[a-c].md', path: 'd.md', ignored: false },
  { patterns: 'file.(x)', path: 'file.(x)', ignored: true },
  { patterns: 'a.b', path: 'axb', ignored: false },
  { patterns: 'node_modules\n!node_modules/keep', path: 'node_modules/keep/x', ignored: false },
  { patterns: '/abs', path: 'abs', ignored: true },
  { patterns: 'dir/', path: 'dir/x', ignored: true },
  { patterns: '**', path: 'any/thing', ignored: true },
  { patterns: '.git', path: '.git/config', ignored: true },
];

for (const c of cases) {
  test(`dockerignore ${JSON.stringify(c.patterns)} ${c.ignored ? 'excludes' : 'keeps'} ${c.path}`, () => {
    assert.equal(IgnoreMatcher.fromText(c.patterns).matches(c.path), c.ignored);
  });
}

test('dockerignore only skips a directory when no exception could reach inside', () => {
  assert.equal(IgnoreMatcher.fromText('d').canSkipDir('d'), true);
  assert.equal(IgnoreMatcher.fromText('d\n!d/keep').canSkipDir('d'), false);
});
