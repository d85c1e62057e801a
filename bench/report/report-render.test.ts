import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from './markdown-report.js';
import { summarize } from './measurement.js';
import { formatRatio, type Report } from './report.js';
import { niceMax, renderSvg } from './svg-plot.js';

function sample(): Report {
  return {
    mode: 'quick',
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:03:00Z',
    host: { cpus: 2, kernel: '6.1', memTotalMiB: 24000, loadStart: [1, 1, 1], loadEnd: [2, 2, 2] },
    engines: [
      { name: 'skiff', present: true, note: 'private skiffd' },
      { name: 'dockerd', present: true, version: '20.10.24', note: 'private, --bridge=none' },
      { name: 'podman', present: false, note: 'not installed' },
    ],
    workloads: [
      { id: 'run', title: 'run --rm busybox true', unit: 'ms', target: { kind: 'ratio', against: 'dockerd', max: 0.2, text: '≥5x faster than dockerd' } },
      { id: 'mem', title: 'monitor RSS | per container', unit: 'MiB', target: { kind: 'absolute', max: 2, text: '≤2 MiB' } },
      { id: 'exec', title: 'exec true', unit: 'ms' },
    ],
    measurements: [
      summarize('run', 'skiff', 'ms', [100, 120, 110]),
      summarize('run', 'dockerd', 'ms', [400, 440, 420]),
      summarize('mem', 'skiff', 'MiB', [1.5, 1.5], 'skiff-monitor VmRSS'),
      summarize('mem', 'dockerd', 'MiB', [10, 11]),
    ],
    failures: [{ workload: 'exec', engine: 'skiff', error: 'exec exited 1: boom' }],
    notes: ['containers use --network none'],
  };
}

describe('report rendering', () => {
  it('renderMarkdown prints medians, ratio, verdicts and podman as absent', () => {
    const md = renderMarkdown(sample());
    const run = md.split('\n').find((l) => l.startsWith('| run --rm'));
    assert.ok(run, md);
    assert.match(run, /\| 110 ms \(p10 100 ms, p90 120 ms\) n=3 \| 420 ms .* \| absent \| 0\.26 \(3\.8x faster\) \| ≥5x faster than dockerd \| \*\*NOT MET\*\* \|/);
    const mem = md.split('\n').find((l) => l.startsWith('| monitor RSS'));
    assert.match(mem ?? '', /monitor RSS \\\| per container .* \| met \|$/, 'a pipe in a title is escaped');
    assert.match(md, /## Failures\n\n- exec true, skiff: exec exited 1: boom/);
    assert.match(md, /## Targets missed\n\n- run --rm busybox true: ≥5x faster than dockerd — not met/);
    assert.match(md, /- monitor RSS \\\| per container, skiff: skiff-monitor VmRSS/);
    assert.match(md, /\*\*podman\*\*: absent \(not installed\)/);
  });

  it('formatRatio says how many times faster or slower', () => {
    assert.equal(formatRatio(0.5, 'ms'), '0.50 (2.0x faster)');
    assert.equal(formatRatio(3, 's'), '3.00 (3.0x slower)');
    assert.equal(formatRatio(0.25, 'MiB'), '0.25 (4.0x less)');
    assert.equal(formatRatio(undefined, 'ms'), '—');
  });

  it('renderSvg draws one bar per measured engine, marks absent ones and the target line', () => {
    const svg = renderSvg(sample(), [
      { title: 'run latency', unit: 'ms', bars: [{ label: 'skiff', workload: 'run', engine: 'skiff' }, { label: 'dockerd', workload: 'run', engine: 'dockerd' }, { label: 'podman', workload: 'run', engine: 'podman' }] },
      { title: 'memory', unit: 'MiB', bars: [{ label: 'skiff', workload: 'mem', engine: 'skiff' }], target: { value: 2, label: 'target 2 MiB' } },
    ]);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="880"/);
    assert.equal(svg.match(/class="bar"/g)?.length, 3);
    assert.match(svg, /not installed/);
    assert.equal(svg.match(/class="target"/g)?.length, 1);
    assert.match(svg, />110 ms</);
    // Bar heights are proportional to the medians (420 vs 110 on one axis).
    const heights = [...svg.matchAll(/class="bar" data-engine="(\w+)" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    const h = Object.fromEntries(heights.slice(0, 2)); // the first panel's bars
    assert.ok(Math.abs((h['dockerd'] ?? 0) / (h['skiff'] ?? 1) - 420 / 110) < 0.01, JSON.stringify(h));
  });

  it('niceMax rounds up to 1, 2 or 5 times a power of ten', () => {
    assert.equal(niceMax(420), 500);
    assert.equal(niceMax(1.5), 2);
    assert.equal(niceMax(0), 1);
  });
});
