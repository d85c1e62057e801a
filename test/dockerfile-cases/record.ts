/**
 * Records what real Docker gives for every case in cases.ts into
 * test/fixtures/dockerfile-cases.json. Run against a private dockerd (never the host's):
 *
 *   dockerd --data-root /tmp/x/dd --exec-root /tmp/x/ddx -H unix:///tmp/x/dd.sock \
 *     --pidfile /tmp/x/dd.pid --bridge=none --iptables=false --ip6tables=false &
 *   DOCKER_HOST=unix:///tmp/x/dd.sock docker import busybox.tar busybox   # scripts/make-busybox-rootfs
 *   DOCKER_HOST=unix:///tmp/x/dd.sock node dist/test/dockerfile-cases/record.js [name-filter]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../e2e/fixtures.js';
import { runCommand } from '../e2e/run-command.js';
import { CASES } from './cases.js';
import { type CaseResult, runCase, type Cli } from './run-case.js';

const host = process.env['DOCKER_HOST'];
if (!host) throw new Error('set DOCKER_HOST to the private dockerd to record from');
const docker: Cli = (args, opts) => runCommand('docker', args, { ...opts, env: { ...process.env, ...opts?.env, DOCKER_HOST: host } });

const out = join(repoRoot(), 'test', 'fixtures', 'dockerfile-cases.json');
mkdirSync(join(repoRoot(), 'test', 'fixtures'), { recursive: true });
const golden: Record<string, CaseResult & { dockerVersion: string }> = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, CaseResult & { dockerVersion: string }>) : {};
const version = (await docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
const filter = process.argv[2];
for (const [i, c] of CASES.entries()) {
  if (filter && !c.name.includes(filter)) continue;
  const r = await runCase(docker, c, `dfcase-${i}`, c.oracleDockerfile ?? c.dockerfile);
  golden[c.name] = { ...r, dockerVersion: version };
  process.stdout.write(`${r.code === 0 ? 'ok  ' : 'err '} ${c.name}${r.code === 0 ? '' : `: ${r.error.split('\n').pop() ?? ''}`}\n`);
}
// Drop cases that no longer exist; keep the file in table order.
const ordered = Object.fromEntries(CASES.filter((c) => golden[c.name]).map((c) => [c.name, golden[c.name]]));
writeFileSync(out, JSON.stringify(ordered, null, 2) + '\n');
process.stdout.write(`${Object.keys(ordered).length} cases recorded in ${out}\n`);
