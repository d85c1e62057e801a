// Re-renders results.md and plot.svg from a run's results.json (after a change to the renderers,
// or to look again at an old run):   node dist/bench/render.js bench/results/<timestamp>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './report/markdown-report.js';
import type { Report } from './report/report.js';
import { renderSvg } from './report/svg-plot.js';
import { plotPanels } from './workload-catalog.js';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: render.js <results dir>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Report;
writeFileSync(join(dir, 'results.md'), renderMarkdown(report));
writeFileSync(join(dir, 'plot.svg'), renderSvg(report, plotPanels()));
console.log(`rendered ${join(dir, 'results.md')} and ${join(dir, 'plot.svg')}`);
