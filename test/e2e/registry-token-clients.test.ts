// The real docker CLI against `skiff registry serve` in bearer-token mode, through skiffd and —
// when Debian's docker.io is installed — through dockerd: login, push, rmi, pull, run; a
// pull-only user is denied a push; a wrong password is refused. Proves skiffd's token flow
// (challenge → token endpoint with scopes → retry) and that the server works for Docker itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { startDaemon } from './harness.js';
import { startPrivateDockerd } from './private-dockerd.js';
import { type RegistryProcess, startRegistry } from './registry-server-client.js';
import type { CommandOptions, CommandResult } from './run-command.js';
import { runCommand } from './run-command.js';

interface Engine {
  docker(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  /** Flags `docker run` needs on this engine (the private dockerd has no bridge). */
  runFlags: string[];
  stop(): Promise<void>;
}

const engines: Array<{ name: string; skip: string | false; start(): Promise<Engine> }> = [
  {
    name: 'skiffd',
    skip: false,
    async start() {
      const d = await startDaemon();
      ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
      return { docker: (a, o) => d.docker(a, o), runFlags: [], stop: () => d.stop() };
    },
  },
  {
    name: 'dockerd',
    skip: findOnPath('dockerd') === undefined ? "Debian's docker.io is not installed" : false,
    async start() {
      const dd = await startPrivateDockerd();
      if (!dd) throw new Error('dockerd did not start');
      return { docker: (a, o) => dd.docker(a, o), runFlags: ['--net', 'none'], stop: () => dd.stop() };
    },
  },
];

const needs = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : findOnPath('htpasswd') === undefined ? 'htpasswd is not installed' : false;

for (const engine of engines) {
  describe(`docker CLI through ${engine.name} to skiff's registry in token mode`, { skip: needs || engine.skip, timeout: 300_000 }, () => {
    let root: string;
    let reg: RegistryProcess;
    let e: Engine;
    let host: string;
    const docker = (args: string[], input?: string) => e.docker(args, { timeoutMs: 120_000, ...(input ? { input } : {}) });

    before(async () => {
      root = mkdtempSync('/tmp/skiff-token-');
      const lines: string[] = [];
      for (const u of ['alice', 'bob']) lines.push(ok(await runCommand('htpasswd', ['-nbB', u, `${u}-pw`]), 'htpasswd').trim());
      writeFileSync(join(root, 'htpasswd'), lines.join('\n') + '\n');
      writeFileSync(
        join(root, 'config.json'),
        JSON.stringify({ auth: { mode: 'token', htpasswd: join(root, 'htpasswd'), anonymousPull: false, access: [{ repository: 'team/*', users: { alice: ['pull', 'push'], bob: ['pull'] } }] } }),
      );
      reg = await startRegistry(['--root', join(root, 'store'), '--config', join(root, 'config.json')]);
      host = new URL(reg.url).host;
      e = await engine.start();
    });
    after(async () => {
      try {
        await e?.stop();
      } finally {
        await reg?.stop();
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('a wrong password is refused and a push without login is denied', async () => {
      const bad = await docker(['login', '-u', 'alice', '--password-stdin', host], 'nope\n');
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /401 Unauthorized|unauthorized/);
      ok(await docker(['tag', 'busybox', `${host}/team/hello:v1`]), 'tag');
      // The anonymous token lacks the push scope: the registry answers error="insufficient_scope", which Docker words as denied.
      fails(await docker(['push', `${host}/team/hello:v1`]), 1, /^denied: requested access to the resource is denied$/m);
    });

    it('alice logs in, pushes, removes, pulls and runs the image', async () => {
      assert.match(ok(await docker(['login', '-u', 'alice', '--password-stdin', host], 'alice-pw\n'), 'login'), /Login Succeeded/);
      assert.match(ok(await docker(['push', `${host}/team/hello:v1`]), 'push'), /v1: digest: sha256:[0-9a-f]{64} size: \d+/);
      ok(await docker(['rmi', `${host}/team/hello:v1`]), 'rmi');
      assert.match(ok(await docker(['pull', `${host}/team/hello:v1`]), 'pull'), /Downloaded newer image/);
      assert.equal(ok(await docker(['run', '--rm', ...e.runFlags, `${host}/team/hello:v1`, 'echo', 'pulled']), 'run'), 'pulled\n');
    });

    it('bob, with pull rights only, pulls but is denied a push', async () => {
      ok(await docker(['logout', host]), 'logout');
      assert.match(ok(await docker(['login', '-u', 'bob', '--password-stdin', host], 'bob-pw\n'), 'login bob'), /Login Succeeded/);
      ok(await docker(['rmi', `${host}/team/hello:v1`]), 'rmi');
      ok(await docker(['pull', `${host}/team/hello:v1`]), 'bob pulls');
      ok(await docker(['tag', 'busybox', `${host}/team/bob:v1`]), 'tag');
      fails(await docker(['push', `${host}/team/bob:v1`]), 1, /^denied: requested access to the resource is denied$/m);
    });
  });
}
