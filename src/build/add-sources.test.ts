import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sniffArchive, urlFileName } from './add-sources.js';

describe('add-sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-add-sources-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'f.txt'), 'plain text, not an archive\n'.repeat(30));
  execFileSync('tar', ['cf', join(dir, 'a.tar'), '-C', dir, 'f.txt']);
  execFileSync('tar', ['czf', join(dir, 'a.tgz'), '-C', dir, 'f.txt']);
  execFileSync('tar', ['cjf', join(dir, 'a.tbz'), '-C', dir, 'f.txt']);
  execFileSync('gzip', ['-k', join(dir, 'f.txt')]);

  it('sniffArchive tells archives by content, not by name', async () => {
    assert.equal(await sniffArchive(join(dir, 'a.tar')), 'tar');
    assert.equal(await sniffArchive(join(dir, 'a.tgz')), 'gzip');
    assert.equal(await sniffArchive(join(dir, 'a.tbz')), 'bzip2');
    assert.equal(await sniffArchive(join(dir, 'f.txt')), undefined);
    // gzip of a file that is not a tar is copied as it is, as dockerd does.
    assert.equal(await sniffArchive(join(dir, 'f.txt.gz')), undefined);
  });

  it('urlFileName takes the last path element and refuses a URL without one', () => {
    assert.equal(urlFileName('http://127.0.0.1:8080/dl/app%20v1.tgz?x=1'), 'app v1.tgz');
    assert.throws(() => urlFileName('http://127.0.0.1:8080/'), /cannot determine filename from url/);
  });
});
