import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRows, type WorkloadInfo } from './comparison.js';
import { summarize } from './measurement.js';

const run: WorkloadInfo = { id: 'run', title: 'run --rm', unit: 'ms', target: { kind: 'ratio', against: 'dockerd', max: 0.2, text: '≥5x faster' } };
const mem: WorkloadInfo = { id: 'mem', title: 'memory', unit: 'MiB', target: { kind: 'absolute', max: 2, text: '≤2 MiB' } };
const plain: WorkloadInfo = { id: 'plain', title: 'exec', unit: 'ms' };

describe('comparison', () => {
  it('buildRows divides skiff median by the other engine median', () => {
    const rows = buildRows([run], [summarize('run', 'skiff', 'ms', [100, 100]), summarize('run', 'dockerd', 'ms', [400, 400])], ['dockerd', 'podman']);
    assert.equal(rows[0]?.ratios['dockerd'], 0.25);
    assert.equal(rows[0]?.ratios['podman'], undefined, 'podman was not measured');
    assert.equal(rows[0]?.verdict, 'not met', '4x faster misses a 5x target');
  });

  it('buildRows marks a ratio target met when skiff is fast enough', () => {
    const rows = buildRows([run], [summarize('run', 'skiff', 'ms', [50]), summarize('run', 'dockerd', 'ms', [500])], ['dockerd']);
    assert.equal(rows[0]?.verdict, 'met');
  });

  it('buildRows judges an absolute target on skiff alone', () => {
    const ok = buildRows([mem], [summarize('mem', 'skiff', 'MiB', [1.2, 1.3, 1.1])], ['dockerd']);
    assert.equal(ok[0]?.verdict, 'met');
    const over = buildRows([mem], [summarize('mem', 'skiff', 'MiB', [2.5])], ['dockerd']);
    assert.equal(over[0]?.verdict, 'not met');
  });

  it('buildRows reports a missing baseline and a failed skiff run instead of hiding them', () => {
    assert.equal(buildRows([run], [summarize('run', 'skiff', 'ms', [50])], ['dockerd'])[0]?.verdict, 'no baseline');
    assert.equal(buildRows([run], [summarize('run', 'dockerd', 'ms', [50])], ['dockerd'])[0]?.verdict, 'failed');
  });

  it('buildRows compares against the baseline workload when one is named', () => {
    const cli: WorkloadInfo = { id: 'cli', title: 'skiff run', unit: 'ms', baseline: 'run' };
    const rows = buildRows([cli], [summarize('cli', 'skiff', 'ms', [300]), summarize('run', 'dockerd', 'ms', [600]), summarize('cli', 'dockerd', 'ms', [1])], ['dockerd']);
    assert.equal(rows[0]?.ratios['dockerd'], 0.5);
  });

  it('buildRows gives workloads without a target the verdict none', () => {
    assert.equal(buildRows([plain], [summarize('plain', 'skiff', 'ms', [1])], [])[0]?.verdict, 'none');
  });
});
