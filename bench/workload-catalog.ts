// What the suite measures, in table order, with the targets beside each figure, and
// the plot's panels. Titles carry the sizes actually used, so a quick run cannot pass for a full one.
import type { WorkloadInfo } from './report/comparison.js';
import type { PlotPanel } from './report/svg-plot.js';
import type { Params } from './workloads/params.js';

const FASTER_5X = { kind: 'ratio', against: 'dockerd', max: 0.2, text: 'run latency ≥5x faster than dockerd 20.10' } as const;
const AS_FAST = { kind: 'ratio', against: 'dockerd', max: 1, text: 'at least as fast as dockerd' } as const;

export function catalog(p: Params): WorkloadInfo[] {
  return [
    { id: 'run-docker', title: '`run --rm busybox true` (docker CLI)', unit: 'ms', target: FASTER_5X },
    { id: 'run-skiff-cli', title: '`skiff run --rm busybox true` (skiff CLI; others: docker CLI)', unit: 'ms', target: FASTER_5X, baseline: 'run-docker' },
    { id: 'exec', title: '`exec <ctr> true`', unit: 'ms' },
    { id: 'build-cold', title: 'seed app build, cold (--no-cache)', unit: 'ms', target: AS_FAST },
    { id: 'build-cached', title: 'seed app rebuild, cached', unit: 'ms', target: AS_FAST },
    { id: 'import', title: `import of a ${p.rootfsMiB} MiB rootfs`, unit: 's' },
    { id: 'push', title: `push of a ${p.rootfsMiB} MiB image to a local registry`, unit: 's', target: { kind: 'ratio', against: 'dockerd', max: 1 / 3, text: 'push ≥3x faster than dockerd' } },
    { id: 'pull', title: `pull of a ${p.rootfsMiB} MiB image from a local registry`, unit: 's', target: { kind: 'ratio', against: 'dockerd', max: 1 / 2, text: 'pull ≥2x faster than dockerd' } },
    { id: 'commit', title: `commit of ${p.commitMiB} MiB of changes`, unit: 's' },
    { id: 'concurrent-run', title: `${p.concurrent} concurrent \`run --rm busybox true\` (wall time)`, unit: 's' },
    { id: 'idle-rss', title: 'daemon idle RSS', unit: 'MiB', target: { kind: 'ratio', against: 'dockerd', max: 1, text: 'below dockerd+containerd (~134 MiB here)' } },
    { id: 'monitor-rss', title: `RSS per container process, ${p.memContainers} running`, unit: 'MiB', target: { kind: 'absolute', max: 2, text: '≤2 MiB per container' } },
    { id: 'monitor-pss', title: `PSS per container process, ${p.memContainers} running`, unit: 'MiB' },
    { id: 'fleet-start', title: `time to start ${p.fleet} containers`, unit: 's' },
    { id: 'fleet-start-each', title: `one \`run -d\` while starting ${p.fleet} (${p.fleetParallel} at a time)`, unit: 'ms' },
  ];
}

export function plotPanels(): PlotPanel[] {
  return [
    {
      title: 'run --rm busybox true',
      unit: 'ms',
      bars: [
        { label: 'skiff (docker)', workload: 'run-docker', engine: 'skiff' },
        { label: 'skiff (skiff CLI)', workload: 'run-skiff-cli', engine: 'skiff' },
        { label: 'dockerd', workload: 'run-docker', engine: 'dockerd' },
        { label: 'podman', workload: 'run-docker', engine: 'podman' },
      ],
    },
    {
      title: 'memory per running container (RSS)',
      unit: 'MiB',
      bars: [
        { label: 'skiff-monitor', workload: 'monitor-rss', engine: 'skiff' },
        { label: 'containerd-shim', workload: 'monitor-rss', engine: 'dockerd' },
        { label: 'podman (conmon)', workload: 'monitor-rss', engine: 'podman' },
      ],
      target: { value: 2, label: 'target ≤2 MiB' },
    },
    {
      title: 'daemon idle RSS',
      unit: 'MiB',
      bars: [
        { label: 'skiffd', workload: 'idle-rss', engine: 'skiff' },
        { label: 'dockerd+containerd', workload: 'idle-rss', engine: 'dockerd' },
        { label: 'podman', workload: 'idle-rss', engine: 'podman' },
      ],
    },
  ];
}
