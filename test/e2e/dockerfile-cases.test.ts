// The Dockerfile case table (test/dockerfile-cases/cases.ts) built by skiffd with the real
// docker CLI's legacy builder, each result asserted equal to what dockerd 20.10 gave for the same
// context (test/fixtures/dockerfile-cases.json, made by test/dockerfile-cases/record.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CASES } from '../dockerfile-cases/cases.js';
import { type CaseResult, runCase } from '../dockerfile-cases/run-case.js';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot, repoRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const golden = JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'dockerfile-cases.json'), 'utf8')) as Record<string, CaseResult>;
const ALL = ['code', 'output', 'error', 'history', 'config', 'run'] as const;

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

describe('Dockerfile cases recorded from dockerd', { skip, timeout: 900_000 }, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('has a recorded result for every case', () => {
    assert.ok(CASES.length >= 60, `${CASES.length} cases`);
    assert.deepEqual(CASES.filter((c) => golden[c.name] === undefined).map((c) => c.name), []);
  });

  for (const [i, c] of CASES.entries()) {
    it(`${c.name}${c.note ? ` (${c.note})` : ''}`, async () => {
      const want = golden[c.name];
      assert.ok(want, 'recorded');
      const got = await runCase(d.docker, c, `dfcase-${i}`);
      const fields = c.compare ?? ALL;
      const pick = (r: CaseResult) => {
        const o: Record<string, unknown> = {};
        for (const f of fields) {
          if (f === 'config') {
            o['config'] = r.config;
            o['author'] = r.author;
          } else o[f] = r[f];
        }
        return o;
      };
      assert.deepEqual(pick(got), pick(want));
    });
  }
});
