// Networking driven through skiff's own CLI (network create/ls/inspect/rm/prune, port), hot-plug
// of a running container with `docker network connect/disconnect`, and that a daemon crash with
// hot-plugged links and published ports leaves nothing of skiff's behind after rm -f.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
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

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString('utf8')));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET :${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Retries while the server in the container is still starting (a loaded host can take seconds). */
async function httpGetSoon(port: number): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const body = await httpGet(port).catch(() => '');
    if (body !== '') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  return httpGet(port);
}

const ownVeths = (tag: string) => readdirSync('/sys/class/net').filter((n) => n.startsWith(`${tag}v`));
const ownInterfaces = (tag: string) => readdirSync('/sys/class/net').filter((n) => n === `${tag}0` || n.startsWith(`${tag}-`) || n.startsWith(`${tag}v`));
const netnsMounts = (execRoot: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${execRoot}/netns`));
const nftRuleset = () => execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' });

const page = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

describe('network CLI, hot-plug and crash cleanup', { skip, timeout: 600_000 }, () => {
  let d: Daemon;
  let tag = '';
  const docker = (args: readonly string[]) => d.docker(args);
  const skiff = (args: readonly string[]) => d.skiff(args);
  const inspect = async (ref: string, format: string) => ok(await docker(['inspect', '-f', format, ref]), `inspect ${ref}`).trim();
  /** Runs a command in `ref`'s network namespace (a throwaway container joining it). */
  const inNetOf = async (ref: string, cmd: string) => ok(await docker(['run', '--rm', '--net', `container:${ref}`, 'busybox', 'sh', '-c', cmd]), cmd);

  before(async () => {
    d = await startDaemon();
    tag = networkTag(d.execRoot);
    ok(await skiff(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
    if (tag) {
      assert.deepEqual(ownInterfaces(tag), []);
      assert.doesNotMatch(nftRuleset(), new RegExp(`table ip ${tag}\\b`));
    }
  });

  it('skiff network create/ls/inspect/rm/prune manage user networks', async () => {
    const id = ok(await skiff(['network', 'create', '--internal', '--label', 'team=net', 'clinet']), 'network create').trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    ok(await skiff(['network', 'create', 'spare']), 'create spare');
    const ls = ok(await skiff(['network', 'ls']), 'network ls');
    assert.match(ls, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/m);
    assert.match(ls, new RegExp(`^${id.slice(0, 12)}\\s+clinet\\s+bridge\\s+local$`, 'm'));
    assert.match(ls, /^[0-9a-f]{12}\s+none\s+null\s+local$/m);
    assert.ok(ok(await skiff(['network', 'ls', '-q']), 'ls -q').split('\n').includes(id.slice(0, 12)));
    const [net] = JSON.parse(ok(await skiff(['network', 'inspect', 'clinet']), 'inspect')) as {
      Id: string;
      Name: string;
      Internal: boolean;
      Labels: Record<string, string>;
      IPAM: { Config: { Subnet: string; Gateway: string }[] };
    }[];
    assert.equal(net?.Id, id);
    assert.equal(net?.Internal, true);
    assert.deepEqual(net?.Labels, { team: 'net' });
    assert.match(net?.IPAM.Config[0]?.Subnet ?? '', /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    fails(await skiff(['network', 'inspect', 'nosuchnet']), 1, 'network nosuchnet not found');
    ok(await skiff(['run', '-d', '--name', 'member', '--network', 'clinet', 'busybox', 'sleep', '300']), 'run member');
    fails(await skiff(['network', 'rm', 'clinet']), 1, 'has active endpoints');
    const pruned = ok(await skiff(['network', 'prune', '-f']), 'prune');
    assert.equal(pruned, 'Deleted Networks:\nspare\n');
    ok(await skiff(['rm', '-f', 'member']), 'rm member');
    assert.equal(ok(await skiff(['network', 'rm', 'clinet']), 'network rm'), 'clinet\n');
    const names = ok(await docker(['network', 'ls', '--format', '{{.Name}}']), 'ls').trim().split('\n').sort();
    assert.deepEqual(names, ['bridge', 'host', 'none']);
  });

  it('skiff port lists published ports and refuses an unpublished one', async () => {
    ok(await skiff(['run', '-d', '--name', 'sweb', '-p', '0:80', '-p', '127.0.0.1:0:8080/udp', 'busybox', ...page('via-skiff')]), 'run sweb');
    const all = ok(await skiff(['port', 'sweb']), 'port');
    const m = /^80\/tcp -> 0\.0\.0\.0:(\d+)\n80\/tcp -> \[::\]:\1\n8080\/udp -> 127\.0\.0\.1:(\d+)\n$/.exec(all);
    assert.ok(m, `skiff port printed ${JSON.stringify(all)}`);
    const tcp = Number(m[1]);
    assert.equal(ok(await skiff(['port', 'sweb', '80']), 'port 80'), `0.0.0.0:${tcp}\n[::]:${tcp}\n`);
    assert.equal(ok(await skiff(['port', 'sweb', '8080/udp']), 'port 8080/udp'), `127.0.0.1:${m[2]}\n`);
    fails(await skiff(['port', 'sweb', '81']), 1, "No public port '81/tcp' published for sweb");
    assert.equal(await httpGetSoon(tcp), 'via-skiff\n');
    // Both elements are in skiff's own maps, and only there.
    const table = execFileSync('nft', ['list', 'table', 'ip', tag], { encoding: 'utf8' });
    assert.match(table, new RegExp(`tcp \\. ${tcp} : \\d+\\.\\d+\\.\\d+\\.\\d+ \\. 80`));
    assert.match(table, new RegExp(`127\\.0\\.0\\.1 \\. udp \\. ${m[2]} : \\d+\\.\\d+\\.\\d+\\.\\d+ \\. 8080`));
  });

  it('network connect hot-plugs a running container and disconnect unplugs it', async () => {
    ok(await docker(['network', 'create', 'hp']), 'create hp');
    ok(await docker(['run', '-d', '--name', 'hp1', 'busybox', 'sleep', '300']), 'run hp1');
    ok(await docker(['run', '-d', '--name', 'hp2', '--network', 'hp', 'busybox', 'sleep', '300']), 'run hp2');
    const veths = ownVeths(tag).length;
    ok(await docker(['network', 'connect', '--alias', 'hpalias', 'hp', 'hp1']), 'connect');
    const ip = await inspect('hp1', '{{.NetworkSettings.Networks.hp.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(ownVeths(tag).length, veths + 1);
    const addr = await inNetOf('hp1', 'ip -4 -o addr show eth1');
    assert.match(addr, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/\\d+ `));
    assert.match(await inNetOf('hp1', 'ip -4 -o addr show eth0'), /inet /); // the bridge link stays
    const out = ok(await docker(['run', '--rm', '--network', 'hp', 'busybox', 'sh', '-c', 'nslookup hp1 && ping -c1 -W2 hpalias']), 'resolve');
    assert.match(out, new RegExp(`Name:\\s+hp1\\nAddress: ${ip.replace(/\./g, '\\.')}`));
    assert.match(out, /1 packets received/);
    fails(await docker(['network', 'connect', 'hp', 'hp1']), 1, 'already exists in network hp');

    ok(await docker(['network', 'disconnect', 'hp', 'hp1']), 'disconnect');
    assert.equal(ownVeths(tag).length, veths);
    assert.equal((await inNetOf('hp1', 'ls /sys/class/net')).trim().split(/\s+/).sort().join(' '), 'eth0 lo');
    assert.equal(await inspect('hp1', '{{len .NetworkSettings.Networks}}'), '1');
    const r = await docker(['run', '--rm', '--network', 'hp', 'busybox', 'nslookup', 'hp1']);
    assert.notEqual(r.code, 0, r.stdout);
    fails(await docker(['network', 'disconnect', 'hp', 'hp1']), 1, 'is not connected to network hp');
  });

  it('after a SIGKILL of skiffd, a restart and rm -f of everything, nothing of skiff is left', async () => {
    ok(await docker(['network', 'connect', 'hp', 'hp1']), 'connect again');
    const sweb = Number(/:(\d+)$/.exec(ok(await skiff(['port', 'sweb', '80'])).trim())?.[1]);
    assert.ok(ownVeths(tag).length >= 4, 'sweb, hp1 ×2, hp2 have veths');
    await d.kill('SIGKILL');
    // Containers outlive the daemon: the published port still answers with skiffd dead.
    assert.equal(await httpGet(sweb), 'via-skiff\n');
    await d.restart();
    assert.equal(await inspect('hp1', '{{len .NetworkSettings.Networks}}'), '2');
    const ids = ok(await docker(['ps', '-aq']), 'ps -aq').trim().split('\n').filter(Boolean);
    assert.equal(ids.length, 3);
    ok(await docker(['rm', '-f', ...ids]), 'rm -f');
    ok(await docker(['network', 'rm', 'hp']), 'network rm hp');
    assert.deepEqual(ownVeths(tag), []);
    assert.deepEqual(netnsMounts(d.execRoot), []);
    assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), new RegExp(tag));
    const table = execFileSync('nft', ['list', 'table', 'ip', tag], { encoding: 'utf8' });
    assert.doesNotMatch(table, /map ports_\w+ \{[^}]*elements/);
  });
});
