// docker top and docker stats against a running busybox container, with the real docker CLI
// and skiff's own, plus the raw API shapes that SDKs read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ClientName, type Cli, cliFor, fails, ok, supports } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const clients: ClientName[] = ['docker', 'skiff'];

/** The parts of a stats object these tests read. */
interface Stats {
  name: string;
  id: string;
  preread: string;
  memory_stats: { usage?: number };
  pids_stats: { current?: number };
  cpu_stats: { system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { system_cpu_usage?: number };
}

/** go-units sizes as docker stats prints them ("316KiB", "1.5MiB", "0B") → bytes. */
function parseSize(s: string): number {
  const m = /^([\d.]+)([KMGT]i)?B$/.exec(s.trim());
  assert.ok(m, `not a size: ${s}`);
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * (m[2] ? mult[m[2]] ?? 1 : 1);
}

for (const client of clients) {
  const skip = !isRoot()
    ? 'e2e tests need root'
    : client === 'docker' && dockerBinary() === undefined
      ? 'the docker CLI is not installed'
      : false;

  describe(`stats and top with the ${client} CLI`, { skip, timeout: 300_000 }, () => {
    let d: Daemon;
    let cli: Cli;
    let id = '';

    before(async () => {
      d = await startDaemon();
      cli = cliFor(d, client);
      ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
      // The shell keeps a 5 MB string alive (the trailing `true` stops it exec'ing sleep).
      id = ok(
        await d.docker(['run', '-d', '--name', 'hog', 'busybox', 'sh', '-c', 'x=$(head -c 5000000 /dev/zero | tr "\\0" a); sleep 120; true']),
        'run -d',
      ).trim();
    });
    after(async () => {
      await d?.stop();
    });

    it('stats --no-stream shows non-zero memory, a limit and the pids of a running container', async (t) => {
      if (!(await supports(t, d, client, 'stats'))) return;
      const out = ok(await cli(['stats', '--no-stream', id]), 'stats');
      const lines = out.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
      const row = /^([0-9a-f]{12})\s+hog\s+([\d.]+)%\s+(\S+) \/ (\S+)\s+([\d.]+)%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+(\d+)$/.exec(lines[1] ?? '');
      assert.ok(row, `unexpected stats row:\n${out}`);
      assert.equal(row[1], id.slice(0, 12));
      assert.ok(parseSize(row[3] ?? '') > 0, `memory usage is zero:\n${out}`);
      assert.ok(parseSize(row[4] ?? '') > parseSize(row[3] ?? ''), `limit not above usage:\n${out}`);
      assert.equal(row[6], '2', `expected sh and sleep:\n${out}`);
    });

    it('top lists the sleep process with ps -ef columns', async (t) => {
      if (!(await supports(t, d, client, 'top'))) return;
      const out = ok(await cli(['top', id]), 'top');
      assert.match(out.split('\n')[0] ?? '', /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
      assert.match(out, /^root\s+\d+\s+\d+\s+.*\ssleep 120$/m);
      // Only the container's processes: no host init.
      assert.equal(out.trimEnd().split('\n').length, 3, out);
    });

    it('top passes ps options through', async (t) => {
      if (!(await supports(t, d, client, 'top'))) return;
      const out = ok(await cli(['top', id, '-o', 'pid,comm']), 'top -o');
      assert.match(out, /^PID\s+COMMAND\n/);
      assert.match(out, /^\d+\s+sleep$/m);
    });

    if (client === 'docker') {
      it('stats API one-shot has Docker fields and stream=0 has a real precpu sample', async () => {
        const one = await d.api('GET', `/v1.50/containers/${id}/stats?stream=0&one-shot=1`);
        assert.equal(one.status, 200, one.body);
        const s = JSON.parse(one.body) as Stats;
        assert.equal(s.name, '/hog');
        assert.equal(s.id, id);
        assert.equal(s.preread, '0001-01-01T00:00:00Z');
        assert.ok((s.memory_stats.usage ?? 0) > 0, one.body);
        assert.ok((s.cpu_stats.system_cpu_usage ?? 0) > 0, one.body);
        assert.ok((s.cpu_stats.online_cpus ?? 0) > 0, one.body);
        assert.equal(s.pids_stats.current, 2);
        const twoBody = (await d.api('GET', `/v1.50/containers/${id}/stats?stream=0`)).body;
        const two = JSON.parse(twoBody) as Stats;
        assert.notEqual(two.preread, '0001-01-01T00:00:00Z');
        assert.ok((two.cpu_stats.system_cpu_usage ?? 0) > (two.precpu_stats.system_cpu_usage ?? 0), twoBody);
      });

      it('stats API refuses stream together with one-shot', async () => {
        const r = await d.api('GET', `/containers/${id}/stats?stream=1&one-shot=1`);
        assert.equal(r.status, 400, r.body);
      });

      it('top refuses ps options without a PID column', async () => {
        fails(await cli(['top', id, '-o', 'comm']), 1, "Couldn't find PID field in ps output");
      });
    }

    it('top of a stopped container fails with 409 not running; stats of it shows zeros', async (t) => {
      if (!(await supports(t, d, client, 'top'))) return;
      ok(await d.docker(['create', '--name', 'idle', 'busybox', 'true']), 'create');
      const r = await cli(['top', 'idle']);
      fails(r, 1, /[Cc]ontainer [0-9a-f]{64} is not running/);
      if (client === 'docker') {
        const api = await d.api('GET', '/containers/idle/top');
        assert.equal(api.status, 409, api.body);
      }
      if (!(await supports(t, d, client, 'stats'))) return;
      const out = ok(await cli(['stats', '--no-stream', 'idle']), 'stats of a stopped container');
      assert.match(out, /\sidle\s+0\.00%\s+0B \/ 0B\s+0\.00%\s+0B \/ 0B\s+0B \/ 0B\s+0$/m);
      ok(await d.docker(['rm', 'idle']), 'rm');
    });
  });
}
