// Kernel networking end to end with the real docker CLI: published ports reached from the host's
// loopback and from containers, user networks with DNS, none/host/container: modes, refusals, and
// that nothing of skiff's (veths, bridges, nft table, netns mounts) is left after stop or a crash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { networkTag } from '../../src/network/net-names.js';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const skip = !isRoot()
  ? 'e2e tests need root'
  : dockerBinary() === undefined
    ? 'the docker CLI is not installed'
    : findOnPath('nft') === undefined
      ? 'nft is not installed (scripts/install-deps)'
      : false;

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString('utf8')));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** 4000 as in the issue when it is free, else any free port. */
function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : port));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

function ownInterfaces(tag: string): string[] {
  return readdirSync('/sys/class/net').filter((n) => n === `${tag}0` || n.startsWith(`${tag}-`) || n.startsWith(`${tag}v`));
}

function nftTables(): string {
  return execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
}

function netnsMounts(execRoot: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${execRoot}/netns`));
}

const page = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

describe('networking with the docker CLI', { skip, timeout: 600_000 }, () => {
  let d: Daemon;
  let tag = '';
  let port = 0;
  const docker = (args: readonly string[]) => d.docker(args);
  const inspect = async (ref: string, format: string) => ok(await docker(['inspect', '-f', format, ref]), `inspect ${ref}`).trim();

  before(async () => {
    d = await startDaemon();
    tag = networkTag(d.execRoot);
    ok(await docker(['import', await busyboxTarball(), 'busybox']), 'import');
    port = await freePort(4000);
  });
  after(async () => {
    await d?.stop();
    // The daemon stopped with no containers: every kernel object it made must be gone.
    if (tag) {
      assert.deepEqual(ownInterfaces(tag), []);
      assert.doesNotMatch(nftTables(), new RegExp(`table ip ${tag}\\b`));
    }
  });

  it('run -p HOST:80 answers on localhost, 127.0.0.1 and the host address, and ps shows the mapping', async () => {
    ok(await docker(['run', '-d', '--name', 'web', '-p', `${port}:80`, 'busybox', ...page('hello-skiff')]), 'run web');
    let body = '';
    for (let i = 0; i < 50 && body === ''; i++) {
      body = await httpGet('127.0.0.1', port).catch(() => '');
      if (body === '') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body, 'hello-skiff\n');
    assert.equal(await httpGet('localhost', port), 'hello-skiff\n');
    const hostAddr = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.2'));
    if (hostAddr) assert.equal(await httpGet(hostAddr.address, port), 'hello-skiff\n');
    const ps = ok(await docker(['ps', '--format', '{{.Names}} {{.Ports}}']), 'ps');
    // Both families, as dockerd 20.10 publishes them (its docker-proxy serves :: for an IPv4 container).
    assert.match(ps, new RegExp(`^web 0\\.0\\.0\\.0:${port}->80/tcp, \\[::\\]:${port}->80/tcp$`, 'm'));
    assert.equal(ok(await docker(['port', 'web'])), `80/tcp -> 0.0.0.0:${port}\n80/tcp -> [::]:${port}\n`);
    assert.equal(await httpGet('::1', port), 'hello-skiff\n');
  });

  it('-p 0:80 and -P publish on an ephemeral port that docker port reports and that answers', async () => {
    ok(await docker(['run', '-d', '--name', 'eph', '-p', '0:80', 'busybox', ...page('eph')]), 'run -p 0:80');
    ok(await docker(['run', '-d', '--name', 'pub', '--expose', '80', '-P', 'busybox', ...page('pub')]), 'run -P');
    for (const [name, text] of [['eph', 'eph'], ['pub', 'pub']] as const) {
      const out = ok(await docker(['port', name, '80']), `port ${name}`).trim();
      const m = /^0\.0\.0\.0:(\d+)\n\[::\]:\1$/.exec(out); // one ephemeral port for both families
      assert.ok(m, `docker port ${name} printed ${out}`);
      const p = Number(m[1]);
      assert.notEqual(p, 0);
      let body = '';
      for (let i = 0; i < 50 && body === ''; i++) {
        body = await httpGet('127.0.0.1', p).catch(() => '');
        if (body === '') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(body, `${text}\n`);
      assert.equal(await inspect(name, '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}'), String(p));
    }
  });

  it('other containers reach a published port through the gateway and the container directly', async () => {
    const ip = await inspect('web', '{{.NetworkSettings.IPAddress}}');
    const gw = await inspect('web', '{{.NetworkSettings.Gateway}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(ok(await docker(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${gw}:${port}/`]), 'via gateway'), 'hello-skiff\n');
    assert.equal(ok(await docker(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${ip}/`]), 'direct'), 'hello-skiff\n');
  });

  it('a taken host port fails with Docker error and leaves no veth, rule or running container', async () => {
    const links = ownInterfaces(tag).length;
    const rules = execFileSync('nft', ['list', 'table', 'ip', tag], { encoding: 'utf8' });
    const r = await docker(['run', '-d', '--name', 'clash', '-p', `${port}:80`, 'busybox', 'sleep', '60']);
    fails(r, 125, `Bind for 0.0.0.0:${port} failed: port is already allocated`);
    assert.notEqual(await inspect('clash', '{{.State.Status}}'), 'running');
    assert.equal(ownInterfaces(tag).length, links);
    assert.equal(execFileSync('nft', ['list', 'table', 'ip', tag], { encoding: 'utf8' }), rules);
    assert.deepEqual(readdirSync(`${d.execRoot}/netns`).length, netnsMounts(d.execRoot).length);
  });

  it('containers on a user network resolve and ping each other by name and alias; the default bridge does not', async () => {
    ok(await docker(['network', 'create', 'appnet']), 'network create');
    ok(await docker(['run', '-d', '--name', 'n1', '--network', 'appnet', '--network-alias', 'alpha', 'busybox', 'sleep', '300']), 'run n1');
    const ip = await inspect('n1', '{{.NetworkSettings.Networks.appnet.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    const out = ok(await docker(['run', '--rm', '--network', 'appnet', 'busybox', 'sh', '-c', 'nslookup n1 && nslookup alpha && ping -c1 -W2 n1']), 'resolve');
    assert.match(out, new RegExp(`Name:\\s+n1\\nAddress: ${ip.replace(/\./g, '\\.')}`));
    assert.match(out, new RegExp(`Name:\\s+alpha\\nAddress: ${ip.replace(/\./g, '\\.')}`));
    assert.match(out, /1 packets received/);
    // On the default bridge there is no embedded DNS; --dns keeps the query on the container's loopback.
    const r = await docker(['run', '--rm', '--dns', '127.0.0.1', 'busybox', 'nslookup', 'n1']);
    assert.notEqual(r.code, 0, r.stdout);
  });

  it('an --internal network has no route out', async () => {
    ok(await docker(['network', 'create', '--internal', 'closed']), 'create internal');
    const routes = ok(await docker(['run', '--rm', '--network', 'closed', 'busybox', 'ip', 'route']), 'ip route');
    assert.doesNotMatch(routes, /default/);
    assert.match(routes, /dev eth0/);
  });

  it('network rm of a network in use is a 409 and bad subnets are refused', async () => {
    const res = await d.api('DELETE', '/networks/appnet');
    assert.equal(res.status, 409, res.body);
    assert.match(res.body, /has active endpoints/);
    fails(await docker(['network', 'create', '--subnet', '10.0.0.0/99', 'bad']), 1, 'invalid CIDR address: 10.0.0.0/99');
    const list = ok(await docker(['network', 'ls', '--format', '{{.Name}}']), 'network ls');
    assert.deepEqual(list.trim().split('\n').sort(), ['appnet', 'bridge', 'closed', 'host', 'none']);
  });

  it('--net none has only lo, --net host is the host namespace', async () => {
    const links = ok(await docker(['run', '--rm', '--net', 'none', 'busybox', 'ls', '/sys/class/net']), 'none');
    assert.equal(links.trim(), 'lo');
    const ns = ok(await docker(['run', '--rm', '--net', 'host', 'busybox', 'readlink', '/proc/self/ns/net']), 'host');
    assert.equal(ns.trim(), readlinkSync('/proc/self/ns/net'));
  });

  it('--net container: shares the namespace and address; a stopped container is refused', async () => {
    const ip = await inspect('web', '{{.NetworkSettings.IPAddress}}');
    const pid = await inspect('web', '{{.State.Pid}}');
    const out = ok(
      await docker(['run', '--rm', '--net', 'container:web', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0; readlink /proc/self/ns/net']),
      'container:',
    );
    assert.match(out, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
    assert.ok(out.trim().endsWith(readlinkSync(`/proc/${pid}/ns/net`)), out);
    ok(await docker(['create', '--name', 'idle', 'busybox', 'true']), 'create idle');
    fails(await docker(['run', '-d', '--net', 'container:idle', 'busybox', 'true']), 125, 'cannot join network of a non running container: idle');
  });

  it('after a SIGKILL of skiffd and a restart, published ports still answer and rm -f leaves nothing behind', async () => {
    await d.kill('SIGKILL');
    await d.restart();
    assert.equal(await httpGet('127.0.0.1', port), 'hello-skiff\n');
    const ids = ok(await docker(['ps', '-aq']), 'ps -aq').trim().split('\n').filter(Boolean);
    ok(await docker(['rm', '-f', ...ids]), 'rm -f');
    ok(await docker(['network', 'rm', 'appnet', 'closed']), 'network rm');
    assert.deepEqual(netnsMounts(d.execRoot), []);
    assert.deepEqual(ownInterfaces(tag).filter((n) => n.startsWith(`${tag}v`)), []);
    const table = execFileSync('nft', ['list', 'table', 'ip', tag], { encoding: 'utf8' });
    assert.doesNotMatch(table, /elements = \{ (tcp|udp) /);
  });
});
