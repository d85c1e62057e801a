// The one-command benchmark suite, end to end on a tiny slice (--quick --only run,idle-rss):
// it must start its engines, measure, write results.md / results.json / plot.svg, and leave
// nothing behind. The dockerd half runs when Debian's docker.io is installed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dockerBinary, isRoot, repoRoot } from './fixtures.js';
import { runCommand } from './run-command.js';

interface Json {
  mode: string;
  engines: Array<{ name: string; present: boolean }>;
  measurements: Array<{ workload: string; engine: string; samples: number[]; median: number; unit: string }>;
  failures: unknown[];
}

const withDockerd = existsSync('/usr/sbin/dockerd');
const skip = !isRoot() ? 'needs root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

/** Private roots the suite's engines use; none may outlive the run. */
const privateRoots = () => readdirSync('/tmp').filter((n) => /^skb-suite-/.test(n));

describe('benchmark suite', { skip, timeout: 600_000 }, () => {
  it('a quick run of two workloads writes the table, the JSON and the plot', async () => {
    const out = mkdtempSync('/tmp/skb-e2e-');
    const before = new Set(privateRoots());
    try {
      const args = [join(repoRoot(), 'dist', 'bench', 'suite.js'), '--quick', '--only', 'run,idle-rss', '--out', out, ...(withDockerd ? [] : ['--no-dockerd'])];
      const r = await runCommand(process.execPath, args, { timeoutMs: 540_000 });
      assert.equal(r.code, 0, `suite exited ${r.code}\n${r.stderr.slice(-3000)}`);

      const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Json;
      assert.equal(json.mode, 'quick');
      assert.deepEqual(json.failures, []);
      const engines = withDockerd ? ['skiff', 'dockerd'] : ['skiff'];
      for (const e of engines) {
        const run = json.measurements.find((m) => m.workload === 'run-docker' && m.engine === e);
        assert.ok(run, `no run latency for ${e}`);
        assert.equal(run.samples.length, 3);
        assert.ok(run.median > 1 && run.median < 60_000, `${e} run median ${run.median} ms`);
        const rss = json.measurements.find((m) => m.workload === 'idle-rss' && m.engine === e);
        assert.ok(rss && rss.unit === 'MiB' && rss.median > 5 && rss.median < 2048, `${e} idle RSS ${rss?.median}`);
      }
      assert.deepEqual(json.engines.find((e) => e.name === 'podman'), { name: 'podman', present: false, note: 'not installed' });

      const md = readFileSync(join(out, 'results.md'), 'utf8');
      const row = md.split('\n').find((l) => l.startsWith('| `run --rm busybox true` (docker CLI)'));
      assert.ok(row, md);
      assert.match(row, withDockerd ? /\| absent \| \d+\.\d\d \(\d+\.\dx (faster|slower)\) \| run latency ≥5x faster/ : /\| not measured \| absent \|/);
      assert.ok(!md.includes('exec <ctr>'), 'workloads not asked for are left out of the table');

      const svg = readFileSync(join(out, 'plot.svg'), 'utf8');
      assert.match(svg, /^<svg /);
      assert.equal(svg.match(/class="bar" data-engine="dockerd"/g)?.length ?? 0, withDockerd ? 2 : 0);
      assert.equal(svg.match(/class="bar" data-engine="skiff"/g)?.length, 2, 'skiff bars: docker CLI run and idle RSS (the skiff CLI step was not asked for)');
      assert.match(svg, /not measured/, 'the skiff CLI bar says it was not measured');
      assert.deepEqual(privateRoots().filter((n) => !before.has(n)), [], 'the suite removed its scratch directory');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
