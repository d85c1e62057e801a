// IPv6 on user networks with the real docker CLI: `network create --ipv6 --subnet`, containers
// reaching each other over v6 by name (embedded DNS AAAA), ports published on [::1] and on the
// host's global v6 address, the same after a daemon crash, and nothing of skiff's left in
// `nft list tables` or `ip -6 route` afterwards. The same checks run against dockerd 20.10 (a
// private one) where it is installed, for the parts it does without its firewall.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { networkTag } from '../../src/network/net-names.js';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.js';
import type { CommandResult } from './run-command.js';

/** The host's global (not link-local, not loopback) IPv6 address, if it has one. */
const hostV6 = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv6' && !a.internal && !a.address.startsWith('fe80'))?.address;

const skip = !isRoot()
  ? 'e2e tests need root'
  : dockerBinary() === undefined
    ? 'the docker CLI is not installed'
    : findOnPath('nft') === undefined
      ? 'nft is not installed (scripts/install-deps)'
      : !existsSync('/proc/net/if_inet6')
        ? 'the host has no IPv6'
        : false;

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString('utf8')));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET [${host}]:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Retries a GET while the container's server comes up (and the host is loaded). */
async function eventually(host: string, port: number): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 40; i++) {
    try {
      return await httpGet(host, port);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw last;
}

/** A port free on both 0.0.0.0 and [::]. */
async function freePort(): Promise<number> {
  const listen = (host: string, port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ port, host, exclusive: true, ipv6Only: host === '::' }, () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : port));
      });
    });
  for (;;) {
    const p = await listen('0.0.0.0', 0);
    if (await listen('::', p).then(() => true, () => false)) return p;
  }
}

/** A random ULA /64, so concurrent test runs (and other engineers' networks) never collide. */
// Groups of 4 hex digits without a leading zero, so the text is already canonical (RFC 5952).
const group = () => (0x1000 + (randomBytes(2).readUInt16BE(0) % 0xf000)).toString(16);
const randomSubnet6 = () => `fd5c:${group()}:${group()}::/64`;
const prefixOf = (subnet: string) => subnet.slice(0, -'::/64'.length);
const page = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];
const routesOf = (subnet: string) => execFileSync('ip', ['-6', 'route'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(subnet));
const nftTables = () => execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });

/** The behaviour both engines must show; `docker` is either skiff's daemon or dockerd. */
async function createChecks(docker: (args: readonly string[]) => Promise<CommandResult>, subnet: string): Promise<void> {
  fails(await docker(['network', 'create', '--ipv6', 'nosubnet6']), 1, 'could not find an available, non-overlapping IPv6 address pool among the defaults');
  const two = await docker(['network', 'create', '--ipv6', '--subnet', subnet, '--subnet', 'fd5c:ffff:1::/64', 'twosubnets6']);
  fails(two, 1, "bridge driver doesn't support multiple subnets");
  ok(await docker(['network', 'create', '--ipv6', '--subnet', subnet, 'v6net']), 'network create --ipv6');
  const ipam = JSON.parse(ok(await docker(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'v6net']))) as { Subnet: string }[];
  assert.deepEqual(ipam.map((c) => c.Subnet.includes(':')), [false, true], JSON.stringify(ipam));
  assert.equal(ipam[1]?.Subnet, subnet);
  assert.equal(ok(await docker(['network', 'inspect', '-f', '{{.EnableIPv6}}', 'v6net'])).trim(), 'true');
}

/** A container on v6net gets ::2 with the /64 and the ::1 gateway, and both families are published. */
async function containerChecks(docker: (args: readonly string[]) => Promise<CommandResult>, subnet: string, port: number): Promise<void> {
  ok(await docker(['run', '-d', '--name', 'web6', '--net', 'v6net', '-p', `${port}:80`, 'busybox', ...page('hello-v6')]), 'run web6');
  const f = '{{with index .NetworkSettings.Networks "v6net"}}{{.GlobalIPv6Address}} {{.GlobalIPv6PrefixLen}} {{.IPv6Gateway}}{{end}}';
  assert.equal(ok(await docker(['inspect', '-f', f, 'web6'])).trim(), `${prefixOf(subnet)}::2 64 ${prefixOf(subnet)}::1`);
  assert.equal(ok(await docker(['port', 'web6'])), `80/tcp -> 0.0.0.0:${port}\n80/tcp -> [::]:${port}\n`);
  const containers = ok(await docker(['network', 'inspect', '-f', '{{range .Containers}}{{.IPv6Address}}{{end}}', 'v6net'])).trim();
  assert.equal(containers, `${prefixOf(subnet)}::2/64`);
}

describe('IPv6 user networks with the docker CLI', { skip, timeout: 600_000 }, () => {
  let d: Daemon;
  let tag = '';
  let port = 0;
  const subnet = randomSubnet6();
  const docker = (args: readonly string[]) => d.docker(args);

  before(async () => {
    d = await startDaemon();
    tag = networkTag(d.execRoot);
    ok(await docker(['import', await busyboxTarball(), 'busybox']), 'import');
    port = await freePort();
  });
  after(async () => {
    await d?.stop();
    if (tag) assert.doesNotMatch(nftTables(), new RegExp(`table ip6? ${tag}\\b`));
    assert.deepEqual(routesOf(subnet), []);
  });

  it('network create --ipv6 needs a v6 subnet, takes one, and lists both subnets', async () => {
    await createChecks(docker, subnet);
    assert.match(nftTables(), new RegExp(`table ip ${tag}\\b`));
  });

  it('a container gets the lowest free v6 address, its gateway and both published families', async () => {
    await containerChecks(docker, subnet, port);
    const ps = ok(await docker(['ps', '--format', '{{.Names}} {{.Ports}}']), 'ps');
    assert.match(ps, new RegExp(`^web6 0\\.0\\.0\\.0:${port}->80/tcp, \\[::\\]:${port}->80/tcp$`, 'm'));
    assert.match(nftTables(), new RegExp(`table ip6 ${tag}\\b`));
  });

  it('containers reach each other over IPv6 by name: AAAA, ping -6 and http', async () => {
    const web = `${prefixOf(subnet)}::2`;
    const script = [
      'ip -6 route | grep "^default via"',
      'nslookup -type=AAAA web6 | grep "^Address: "',
      'ping -6 -c1 -W5 web6 >/dev/null && echo ping-ok',
      `wget -qO- http://[${web}]/`,
    ].join('; ');
    const out = ok(await docker(['run', '--rm', '--net', 'v6net', 'busybox', 'sh', '-c', script]), 'client');
    assert.match(out, new RegExp(`^default via ${prefixOf(subnet)}::1 dev eth0`, 'm'));
    assert.match(out, new RegExp(`^Address: ${web}$`, 'm'));
    assert.match(out, /^ping-ok$/m);
    assert.match(out, /^hello-v6$/m);
  });

  it('the published port answers on [::1], on the host v6 address and on 127.0.0.1', async () => {
    assert.equal(await eventually('::1', port), 'hello-v6\n');
    assert.equal(await eventually('127.0.0.1', port), 'hello-v6\n');
    if (hostV6) {
      assert.equal(await eventually(hostV6, port), 'hello-v6\n');
      // Hairpin: a container on the network through the host's v6 address.
      const out = ok(await docker(['run', '--rm', '--net', 'v6net', 'busybox', 'wget', '-qO-', `http://[${hostV6}]:${port}/`]), 'hairpin');
      assert.equal(out, 'hello-v6\n');
    }
  });

  it('-p [::1]:PORT on an IPv4-only network is relayed over tcp, as dockerd does', async () => {
    const p = await freePort();
    ok(await docker(['network', 'create', 'v4only']), 'network create v4only');
    ok(await docker(['run', '-d', '--name', 'web4', '--net', 'v4only', '-p', `[::1]:${p}:80`, 'busybox', ...page('hello-v4')]), 'run web4');
    assert.equal(ok(await docker(['port', 'web4'])), `80/tcp -> [::1]:${p}\n`);
    assert.equal(await eventually('::1', p), 'hello-v4\n');
    ok(await docker(['rm', '-f', 'web4']), 'rm web4');
    ok(await docker(['network', 'rm', 'v4only']), 'network rm v4only');
  });

  it('after a daemon crash and restart the v6 port still answers', async () => {
    await d.kill('SIGKILL');
    await d.restart();
    assert.equal(await eventually('::1', port), 'hello-v6\n');
    if (hostV6) assert.equal(await eventually(hostV6, port), 'hello-v6\n');
  });

  it('rm and network rm leave no ip6 table, no v6 route and no bridge', async () => {
    ok(await docker(['rm', '-f', 'web6']), 'rm web6');
    await assert.rejects(httpGet('::1', port));
    ok(await docker(['network', 'rm', 'v6net']), 'network rm');
    assert.doesNotMatch(nftTables(), new RegExp(`table ip6 ${tag}\\b`));
    assert.deepEqual(routesOf(prefixOf(subnet)), []);
  });
});

describe('IPv6 user networks against dockerd 20.10 (oracle)', { skip: skip || (!existsSync('/usr/sbin/dockerd') && 'dockerd is not installed'), timeout: 300_000 }, () => {
  let dd: PrivateDockerd | undefined;
  const subnet = randomSubnet6();
  const docker = (args: readonly string[]) => dd!.docker(args);

  before(async () => {
    dd = await startPrivateDockerd();
  });
  after(async () => {
    // dockerd keeps user bridges across its own shutdown: remove them first so none is left
    // holding the subnet's route.
    if (dd) {
      await dd.docker(['rm', '-f', 'web6']);
      await dd.docker(['network', 'rm', 'v6net']);
      await dd.stop();
    }
    assert.deepEqual(routesOf(prefixOf(subnet)), []);
  });

  it('dockerd agrees on network create --ipv6 and on the container addresses and port bindings', async (t) => {
    if (!dd) return t.skip('dockerd did not start');
    await createChecks(docker, subnet);
    await containerChecks(docker, subnet, await freePort());
  });
});
