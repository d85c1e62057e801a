// dockerode (npm), the SDK most Node programs drive Docker with, against skiffd and, where it is
// installed, against a private dockerd: the same test body for both, so a test that passes on
// skiffd but not on dockerd tests skiff's quirks rather than the client's expectations.
// Covered: create/start/wait/logs with the 8-byte stream demultiplexed, a build from a tar
// stream (success and a failing RUN), the events stream, and stats (one-shot and streamed).
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { busyboxTarball, findOnPath, isRoot } from './fixtures.js';
import { startDaemon } from './harness.js';
import { startPrivateDockerd } from './private-dockerd.js';

interface Target {
  socketPath: string;
  /** Daemon log lines for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

const targets: Array<{ name: string; skip: string | false; start: () => Promise<Target> }> = [
  {
    name: 'skiffd',
    skip: isRoot() ? false : 'e2e tests need root',
    start: async () => {
      const d = await startDaemon();
      const imp = await d.docker(['import', await busyboxTarball(), 'busybox']);
      assert.equal(imp.code, 0, `import: ${imp.stderr}`);
      return { socketPath: d.socket, logTail: () => d.logTail(), stop: () => d.stop() };
    },
  },
  {
    name: 'dockerd',
    skip: !isRoot() ? 'e2e tests need root' : findOnPath('dockerd') === undefined ? 'dockerd is not installed (the oracle)' : false,
    start: async () => {
      const dd = await startPrivateDockerd();
      if (dd === undefined) throw new Error('could not start a private dockerd');
      return { socketPath: dd.socket, logTail: () => '', stop: () => dd.stop() };
    },
  },
];

/** Everything a readable stream yields, as one buffer. */
async function drain(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(parts);
}

/** Splits a multiplexed (8-byte framed) log stream with dockerode's own demultiplexer. */
async function demux(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outText = drain(out);
  const errText = drain(err);
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  out.end();
  err.end();
  return { stdout: (await outText).toString(), stderr: (await errText).toString() };
}

/** Reads the 8-byte frames by hand: [stream, 0, 0, 0, size (big endian)] then size bytes. */
function unframe(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  let off = 0;
  while (off < buf.length) {
    assert.ok(off + 8 <= buf.length, `a truncated frame header at ${off}`);
    const kind = buf[off];
    const size = buf.readUInt32BE(off + 4);
    const payload = buf.subarray(off + 8, off + 8 + size).toString();
    if (kind === 1) out.stdout += payload;
    else if (kind === 2) out.stderr += payload;
    else assert.fail(`frame of unknown stream ${String(kind)} at ${off}`);
    off += 8 + size;
  }
  return out;
}

/** A build context as a tar stream, the way dockerode users hand one to buildImage. */
function contextTar(files: Record<string, string>): NodeJS.ReadableStream {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644 }, content);
  p.finalize();
  // tar-stream's Pack is a streamx Readable: it has everything dockerode pipes from.
  return p as unknown as NodeJS.ReadableStream;
}

/** followProgress as a promise: every JSON message of the build stream. */
function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: Array<Record<string, unknown>>) =>
      err ? reject(err) : resolve(output),
    );
  });
}

for (const target of targets) {
  describe(`dockerode against ${target.name}`, { skip: target.skip, timeout: 300_000 }, () => {
    let t: Target;
    let docker: Docker;

    before(async () => {
      t = await target.start();
      docker = new Docker({ socketPath: t.socketPath });
    });
    after(async () => {
      await t?.stop();
    });

    it('create, start, wait and logs give the exit code and stdout/stderr apart', async () => {
      const c = await docker.createContainer({
        Image: 'busybox',
        Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; echo more-out; exit 3'],
        Labels: { suite: 'dockerode' },
      });
      await c.start();
      const waited = (await c.wait()) as { StatusCode: number };
      assert.equal(waited.StatusCode, 3);
      // Without follow, dockerode hands back the whole multiplexed body as a Buffer.
      const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      assert.ok(Buffer.isBuffer(raw), 'logs without follow should be a Buffer');
      // Which pipe the engine reads first is a race, so compare per stream, not frame order.
      assert.deepEqual(unframe(raw), { stdout: 'to-out\nmore-out\n', stderr: 'to-err\n' });
      const streamed = await c.logs({ stdout: true, stderr: true, follow: true });
      const { stdout, stderr } = await demux(docker, streamed);
      assert.equal(stdout, 'to-out\nmore-out\n');
      assert.equal(stderr, 'to-err\n');
      const info = await c.inspect();
      assert.equal(info.State.ExitCode, 3);
      assert.equal(info.State.Status, 'exited');
      assert.equal(info.Config.Labels['suite'], 'dockerode');
      await c.remove();
      await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    });

    it('logs with follow streams lines as a running container writes them and ends at its exit', async () => {
      const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.3; done; echo bye >&2'] });
      await c.start();
      const stream = await c.logs({ stdout: true, stderr: true, follow: true, timestamps: false });
      const { stdout, stderr } = await demux(docker, stream);
      assert.equal(stdout, 'line1\nline2\nline3\n');
      assert.equal(stderr, 'bye\n');
      await c.remove({ force: true });
    });

    it('run and a hijacked attach carry stdin to the container and its output back', async () => {
      // docker.run: create, attach (hijacked), start, wait, as dockerode's README shows it.
      const out = new PassThrough();
      const text = drain(out);
      const [result, ran] = (await docker.run('busybox', ['sh', '-c', 'echo via-run; echo oops >&2; exit 2'], out)) as [
        { StatusCode: number },
        Docker.Container,
      ];
      out.end();
      assert.equal(result.StatusCode, 2);
      // Without a TTY, run demultiplexes both streams into the one writable it was given.
      assert.deepEqual((await text).toString().split(/\r?\n/).filter((l) => l !== '').sort(), ['oops', 'via-run']);
      await ran.remove();

      // dockerode sends its attach options as a JSON body on the upgraded request: that body
      // must not reach the container's stdin, only what is written after it.
      const c = await docker.createContainer({
        Image: 'busybox',
        Cmd: ['sh', '-c', 'read line; echo "got:$line"'],
        OpenStdin: true,
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
      });
      const stream = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadWriteStream;
      const outputs = demux(docker, stream);
      await c.start();
      stream.write('hello\n');
      assert.equal(((await c.wait()) as { StatusCode: number }).StatusCode, 0);
      assert.deepEqual(await outputs, { stdout: 'got:hello\n', stderr: '' });
      await c.remove();
    });

    it('buildImage from a tar stream builds a runnable image and reports a failing RUN', async () => {
      const stream = await docker.buildImage(
        contextTar({ Dockerfile: 'FROM busybox\nCOPY hello.txt /hello.txt\nRUN echo built >> /hello.txt\nCMD ["cat", "/hello.txt"]\n', 'hello.txt': 'from the context\n' }),
        { t: 'dockerode-built:1' },
      );
      const out = await follow(docker, stream);
      const text = out.map((m) => (typeof m['stream'] === 'string' ? m['stream'] : '')).join('');
      assert.ok(!out.some((m) => m['error'] !== undefined), `build failed: ${JSON.stringify(out)}`);
      assert.match(text, /Successfully built [0-9a-f]{12}/);
      assert.match(text, /Successfully tagged dockerode-built:1/);
      const aux = out.find((m) => typeof m['aux'] === 'object');
      const img = await docker.getImage('dockerode-built:1').inspect();
      assert.deepEqual(aux?.['aux'], { ID: img.Id });
      assert.deepEqual(img.Config.Cmd, ['cat', '/hello.txt']);

      const c = await docker.createContainer({ Image: 'dockerode-built:1' });
      await c.start();
      assert.equal(((await c.wait()) as { StatusCode: number }).StatusCode, 0);
      const logs = await demux(docker, await c.logs({ stdout: true, stderr: true, follow: true }));
      assert.equal(logs.stdout, 'from the context\nbuilt\n');
      await c.remove();

      const bad = await docker.buildImage(contextTar({ Dockerfile: 'FROM busybox\nRUN exit 7\n' }), { t: 'dockerode-bad' });
      const badOut = await follow(docker, bad);
      const failure = badOut.find((m) => m['errorDetail'] !== undefined);
      assert.ok(failure, `a failing RUN should end with errorDetail: ${JSON.stringify(badOut)}`);
      assert.match(String(failure['error']), /returned a non-zero code: 7/);
      await assert.rejects(docker.getImage('dockerode-bad').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    });

    it('getEvents streams create, start and die of a container, and a past range ends by itself', async () => {
      const since = Math.floor(Date.now() / 1000) - 1;
      const stream = (await docker.getEvents({ filters: { type: ['container'], label: ['events-probe=1'] } })) as unknown as Readable;
      const seen: Array<{ Action: string; id: string; Type: string; Actor: { Attributes: Record<string, string> } }> = [];
      let buf = '';
      const gotDie = new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line === '') continue;
            const ev = JSON.parse(line) as (typeof seen)[number];
            seen.push(ev);
            if (ev.Action === 'die') resolve();
          }
        });
        stream.once('error', reject);
      });
      const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'exit 5'], Labels: { 'events-probe': '1' } });
      // A container without the label must not show up through the label filter.
      const other = await docker.createContainer({ Image: 'busybox', Cmd: ['true'] });
      await c.start();
      await Promise.race([gotDie, new Promise((_r, rej) => setTimeout(() => rej(new Error(`no die event; saw ${JSON.stringify(seen)}`)), 20_000))]);
      stream.destroy();
      const actions = seen.map((e) => e.Action);
      assert.deepEqual(actions.slice(0, 3), ['create', 'start', 'die'], `events: ${actions.join(', ')}`);
      for (const e of seen) {
        assert.equal(e.id, c.id);
        assert.equal(e.Type, 'container');
      }
      assert.equal(seen[2]?.Actor.Attributes['exitCode'], '5');
      assert.equal(seen[0]?.Actor.Attributes['image'], 'busybox');

      // With until in the past the daemon replays and closes the stream.
      const until = Math.floor(Date.now() / 1000) + 1;
      await new Promise((r) => setTimeout(r, 1100));
      const past = (await docker.getEvents({ since, until, filters: { container: [c.id] } })) as unknown as Readable;
      const lines = (await drain(past)).toString().trim().split('\n').map((l) => JSON.parse(l) as { Action: string });
      assert.deepEqual(lines.map((l) => l.Action).filter((a) => ['create', 'start', 'die'].includes(a)), ['create', 'start', 'die']);
      await c.remove();
      await other.remove();
    });

    it('stats gives one sample with memory and pids, and a stream of samples with a previous CPU reading', async () => {
      const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'sleep 60 & sleep 60 & wait'] });
      await c.start();
      try {
        // The shell forks its two sleeps right after start; sample once all three exist.
        for (let i = 0; i < 50 && ((await c.top()).Processes ?? []).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
        const one = (await c.stats({ stream: false })) as unknown as {
          id: string;
          memory_stats: { usage?: number; limit?: number };
          pids_stats: { current?: number };
          cpu_stats: { cpu_usage: { total_usage: number }; online_cpus?: number };
        };
        assert.equal(one.id, c.id);
        assert.ok((one.memory_stats.usage ?? 0) > 0, `memory usage: ${JSON.stringify(one.memory_stats)}`);
        assert.ok((one.memory_stats.limit ?? 0) > 0, `memory limit: ${JSON.stringify(one.memory_stats)}`);
        assert.equal(one.pids_stats.current, 3);
        assert.ok(one.cpu_stats.cpu_usage.total_usage > 0);

        const stream = (await c.stats({ stream: true })) as unknown as Readable;
        const samples: Array<{ read: string; precpu_stats: { cpu_usage?: { total_usage?: number } } }> = [];
        let buf = '';
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`only ${samples.length} stats samples in 10 s`)), 10_000);
          stream.on('data', (chunk: Buffer) => {
            buf += chunk.toString();
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line !== '') samples.push(JSON.parse(line) as (typeof samples)[number]);
            }
            if (samples.length >= 2) {
              clearTimeout(timer);
              resolve();
            }
          });
          stream.once('error', reject);
        });
        stream.destroy();
        const [first, second] = samples;
        assert.ok(first && second);
        assert.ok(Date.parse(second.read) > Date.parse(first.read), 'samples should be taken at different times');
        assert.ok((second.precpu_stats.cpu_usage?.total_usage ?? 0) > 0, 'the second sample should carry the previous CPU reading');
      } finally {
        await c.remove({ force: true });
      }
    });
  });
}
