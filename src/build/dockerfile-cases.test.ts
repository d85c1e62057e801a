// The recorded Dockerfile cases (test/dockerfile-cases/cases.ts, results from dockerd 20.10 in
// test/fixtures/dockerfile-cases.json) at unit level: the errors dockerd gives before the first
// step come out of parse + validate + stage planning with the same text, and the cases made of
// metadata instructions only get the same config and history text from planInstruction alone.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ContainerConfigFields } from '../image/image-config.js';
import { CASES } from '../../test/dockerfile-cases/cases.js';
import type { CaseResult } from '../../test/dockerfile-cases/run-case.js';
import { BuildArgs } from './build-args.js';
import { planStages } from './build-stages.js';
import { parseDockerfile } from './dockerfile-parser.js';
import { validateDockerfile } from './dockerfile-validate.js';
import { planInstruction, type StageState } from './instruction-plan.js';

function fixture(): Record<string, CaseResult> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test', 'fixtures', 'dockerfile-cases.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('test/fixtures/dockerfile-cases.json not found');
    dir = up;
  }
  return JSON.parse(readFileSync(join(dir, 'test', 'fixtures', 'dockerfile-cases.json'), 'utf8')) as Record<string, CaseResult>;
}

const golden = fixture();
const PREFIX = 'Error response from daemon: ';
const META = new Set(['env', 'label', 'expose', 'volume', 'user', 'cmd', 'entrypoint', 'shell', 'stopsignal', 'healthcheck', 'maintainer', 'onbuild']);

function prepare(dockerfile: string, args: readonly string[]): void {
  const parsed = parseDockerfile(dockerfile);
  validateDockerfile(parsed);
  const t = args.indexOf('--target');
  planStages(parsed, t >= 0 ? { target: args[t + 1] ?? '' } : {});
}

describe('recorded Dockerfile cases at unit level', () => {
  const early = CASES.filter((c) => !c.oracleDockerfile && golden[c.name]?.code !== 0 && golden[c.name]?.output === '' && golden[c.name]?.error.startsWith(PREFIX));
  const meta = CASES.filter((c) => {
    if (golden[c.name]?.code !== 0 || c.args) return false;
    const parsed = parseDockerfile(c.dockerfile);
    const [from, ...rest] = parsed.instructions;
    return golden[c.name]?.code === 0 && from?.args === 'busybox' && rest.length > 0 && rest.every((i) => META.has(i.keyword));
  });

  it('covers enough cases at unit level', () => {
    assert.ok(early.length >= 12, `${early.length} early-error cases`);
    assert.ok(meta.length >= 12, `${meta.length} metadata-only cases`);
  });

  for (const c of early) {
    it(`dockerfile case "${c.name}" fails before any step with dockerd's message`, () => {
      const want = (golden[c.name]?.error ?? '').slice(PREFIX.length);
      assert.throws(() => prepare(c.dockerfile, c.args ?? []), (err: Error) => {
        assert.equal(err.message, want);
        return true;
      });
    });
  }

  for (const c of meta) {
    it(`dockerfile case "${c.name}" plans dockerd's config and history`, () => {
      const want = golden[c.name];
      const parsed = parseDockerfile(c.dockerfile);
      const config: ContainerConfigFields = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] };
      const state: StageState = { config, args: new BuildArgs(new Map()), escape: parsed.escape, cmdSet: false };
      const history = parsed.instructions.slice(1).map((i) => planInstruction(i, state).createdBy);
      assert.deepEqual(history.reverse(), (want?.history ?? []).map((row) => row.replace(/\|[^|]*$/, '')));
      const got = want?.config ?? {};
      for (const [k, v] of Object.entries(got)) {
        const mine = (config as Record<string, unknown>)[k];
        const empty = mine === undefined || mine === null || mine === '' || (Array.isArray(mine) && mine.length === 0) || (typeof mine === 'object' && Object.keys(mine as object).length === 0);
        assert.deepEqual(empty ? null : mine, v, k);
      }
    });
  }
});
