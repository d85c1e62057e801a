// Importing a tarball built to escape the layer directory must fail or stay confined: nothing may
// appear outside the data root, and no layer file may be a hard link to a file outside it.
import assert from 'node:assert/strict';
import { lstatSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cli, cliFor, preferredClient } from './cli.js';
import { isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { dotDotEntries, hostPathsPlanted, packTar, symlinkEntries, type TarEntry, uniqueTag } from './hostile-tars.js';

const exists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** Every path under `dir` (not following symlinks), skipping `skip`. */
function walk(dir: string, skip: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (p === skip) continue;
    out.push(p);
    if (e.isDirectory()) walk(p, skip, out);
  }
  return out;
}

const cases: [string, (tag: string, sentinel: string) => TarEntry[]][] = [
  ['with .. names, absolute names and hard links to outside files', dotDotEntries],
  ['with symlinks to outside directories written through', (tag) => symlinkEntries(tag)],
];

describe('import of hostile tarballs', { skip: isRoot() ? false : 'e2e tests need root', timeout: 300_000 }, () => {
  let d: Daemon;
  let cli: Cli;
  before(async () => {
    d = await startDaemon();
    cli = cliFor(d, preferredClient());
  });
  after(async () => {
    await d?.stop();
  });

  for (const [label, entries] of cases) {
    it(`import of a tarball ${label} fails or stays inside the data root`, async () => {
      const tag = uniqueTag();
      const sentinel = join(d.root, `sentinel-${tag}`);
      writeFileSync(sentinel, 'secret');
      const tarPath = join(d.root, `hostile-${tag}.tar`);
      writeFileSync(tarPath, await packTar(entries(tag, sentinel)));
      try {
        const r = await cli(['import', tarPath, `hostile-${tag}`]);
        if (r.code !== 0) assert.notEqual(r.stderr.trim(), '', 'a failed import must say why');
        else assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);

        for (const p of hostPathsPlanted(tag)) assert.equal(exists(p), false, `import created ${p}`);
        const outside = walk(d.root, d.dataRoot).filter((p) => p.includes(tag) && p !== sentinel && p !== tarPath);
        assert.deepEqual(outside, [], 'import wrote next to the data root');
        assert.equal(statSync(sentinel).nlink, 1, 'a layer file is a hard link to a file outside the data root');
      } finally {
        // Never leave planted files on the host, even when the assertions above failed.
        for (const p of hostPathsPlanted(tag)) rmSync(p, { recursive: true, force: true });
      }
    });
  }
});
