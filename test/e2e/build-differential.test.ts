// The same Dockerfiles built by skiffd and by a private dockerd (legacy builder) give the same
// file trees: every path with its type, mode, owner, content digest and symlink target, listed
// from inside a container of each image. Runs only where dockerd is installed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.js';
import type { CommandOptions, CommandResult } from './run-command.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : findOnPath('dockerd') === undefined ? 'dockerd is not installed (the oracle)' : false;

/**
 * One line per path: path|type|mode|uid|gid|sha256 prefix or link target. Left out: what each
 * engine adds to a running container rather than to the image (/.dockerenv, the /etc files it
 * mounts, and the /etc/mtab link dockerd's init layer makes).
 */
const LISTING = `find / -xdev \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -print \
| grep -v -e '^/.dockerenv$' -e '^/etc/hosts$' -e '^/etc/hostname$' -e '^/etc/resolv.conf$' -e '^/etc/mtab$' | sort \
| while read -r f; do s=$(stat -c '%F|%a|%u|%g' "$f"); \
if [ -L "$f" ]; then x=$(readlink "$f"); elif [ -f "$f" ]; then x=$(sha256sum < "$f" | cut -c1-16); else x=; fi; \
echo "$f|$s|$x"; done`;

const CASES: Array<{ name: string; dockerfile: string }> = [
  {
    name: 'COPY/ADD of a context with modes, symlinks, ignored files and an archive; RUN changes and deletes',
    dockerfile: [
      'FROM busybox',
      'WORKDIR /app',
      'ADD . /app',
      'RUN echo built > /app/out && mkdir -p /app/made/deep && ln -s ../out /app/made/link && chmod 0750 /app/made && chown 1:2 /app/made/deep && rm /bin/vi && rm -r /app/sub/gone',
      'COPY --chown=3:4 sub /app/owned/',
      'ADD arch.tgz /x/',
      'COPY script.sh secret link /single/',
      'ENV NAME World',
      'CMD ["sh"]',
    ].join('\n'),
  },
  {
    name: 'multi-stage COPY --from with owners kept and a WORKDIR that is created',
    dockerfile: [
      'FROM busybox AS gen',
      'RUN mkdir -p /out/a && echo one > /out/a/one && chown -R 5:6 /out && chmod 0700 /out/a',
      'FROM busybox',
      'WORKDIR /srv/data',
      'COPY --from=gen /out /imported',
      'COPY --from=gen /out/a/one .',
      'USER nobody',
      'RUN touch /tmp/by-nobody',
    ].join('\n'),
  },
];

function makeContext(dockerfile: string): string {
  const dir = mkdtempSync('/tmp/skiff-diff-build-');
  writeFileSync(join(dir, 'Dockerfile'), dockerfile + '\n');
  writeFileSync(join(dir, 'script.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'script.sh'), 0o755);
  writeFileSync(join(dir, 'secret'), 'shh\n');
  chmodSync(join(dir, 'secret'), 0o600);
  symlinkSync('script.sh', join(dir, 'link'));
  mkdirSync(join(dir, 'sub/gone'), { recursive: true });
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'sub/file'), 'in sub\n');
  writeFileSync(join(dir, 'sub/gone/x'), 'x\n');
  writeFileSync(join(dir, 'debug.log'), 'ignored\n');
  writeFileSync(join(dir, '.dockerignore'), '*.log\n');
  execFileSync('tar', ['czf', join(dir, 'arch.tgz'), '--owner=9', '--group=9', '-C', dir, 'sub']);
  return dir;
}

type Cli = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

async function treeOf(cli: Cli, dir: string, tag: string): Promise<string[]> {
  ok(await cli(['build', '-q', '-t', tag, '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 }), `build ${tag}`);
  return ok(await cli(['run', '--rm', '--user', '0', '--entrypoint', 'sh', tag, '-c', LISTING], { timeoutMs: 120_000 }), `list ${tag}`).trim().split('\n');
}

describe('skiffd and dockerd build the same file trees', { skip, timeout: 600_000 }, () => {
  let d: Daemon;
  let dd: PrivateDockerd | undefined;
  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
    dd = await startPrivateDockerd();
  });
  after(async () => {
    await dd?.stop();
    await d?.stop();
  });

  for (const [i, c] of CASES.entries()) {
    it(c.name, async () => {
      assert.ok(dd, 'dockerd started');
      const dir = makeContext(c.dockerfile);
      try {
        const [mine, theirs] = await Promise.all([treeOf(d.docker, dir, `diff-${i}`), treeOf(dd.docker, dir, `diff-${i}`)]);
        assert.ok(theirs.length > 200, `dockerd's tree has ${theirs.length} paths`);
        const onlyMine = mine.filter((l) => !theirs.includes(l));
        const onlyTheirs = theirs.filter((l) => !mine.includes(l));
        assert.deepEqual({ onlyMine, onlyTheirs }, { onlyMine: [], onlyTheirs: [] });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
