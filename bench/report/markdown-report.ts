// results.md: one table row per workload with skiff's median and spread, each other engine's,
// the ratios and the target verdict; then failures (never dropped) and notes.
import { buildRows, type Row } from './comparison.js';
import type { Measurement } from './measurement.js';
import { formatRatio, formatValue, type Report } from './report.js';

const cell = (m: Measurement | undefined): string => {
  if (m === undefined) return 'not measured';
  const spread = m.samples.length > 1 ? ` (p10 ${formatValue(m.p10, m.unit)}, p90 ${formatValue(m.p90, m.unit)})` : '';
  return `${formatValue(m.median, m.unit)}${spread} n=${m.samples.length}`;
};

const verdictText: Record<Row['verdict'], string> = {
  met: 'met',
  'not met': '**NOT MET**',
  'no baseline': 'no baseline',
  failed: '**FAILED**',
  none: '',
};

/** Escapes the characters that would break a markdown table cell. */
const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(report: Report): string {
  const others = report.engines.filter((e) => e.name !== 'skiff');
  const measuredOthers = others.filter((e) => e.present).map((e) => e.name);
  const rows = buildRows(report.workloads, report.measurements, measuredOthers);
  const out: string[] = [];
  out.push(`# skiff benchmarks (${report.mode} run, ${report.startedAt})`, '');
  out.push(
    `Host: ${report.host.cpus} CPUs, ${report.host.memTotalMiB} MiB RAM, kernel ${report.host.kernel}; ` +
      `load average ${report.host.loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${report.host.loadEnd.map((l) => l.toFixed(2)).join(' ')} at end.`,
    '',
  );
  out.push('Engines:', '');
  for (const e of report.engines) out.push(`- **${e.name}**${e.version ? ` ${e.version}` : ''}: ${e.present ? e.note : `absent (${e.note})`}`);
  out.push('', 'Ratios are skiff/other of the medians: below 1 means skiff is faster or smaller. Absolute figures are context only (a shared, loaded host).', '');

  const head = ['workload', 'skiff', ...others.map((e) => e.name), ...measuredOthers.map((e) => `skiff/${e}`), 'target', 'verdict'];
  out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cols = [
      esc(r.info.title),
      esc(cell(r.figures['skiff'])),
      ...others.map((e) => (e.present ? esc(cell(r.figures[e.name])) : 'absent')),
      ...measuredOthers.map((e) => formatRatio(r.ratios[e], r.info.unit)),
      esc(r.info.target?.text ?? ''),
      verdictText[r.verdict],
    ];
    out.push(`| ${cols.join(' | ')} |`);
  }

  const notes = report.measurements.filter((m) => m.note !== undefined);
  if (notes.length > 0) {
    out.push('', '## What was measured', '');
    for (const m of notes) out.push(`- ${esc(titleOf(report, m.workload))}, ${m.engine}: ${m.note}`);
  }
  out.push('', '## Failures', '');
  if (report.failures.length === 0) out.push('None.');
  for (const f of report.failures) out.push(`- ${esc(titleOf(report, f.workload))}, ${f.engine}: ${esc(f.error.slice(0, 600))}`);
  const missed = rows.filter((r) => r.verdict === 'not met' || r.verdict === 'failed');
  out.push('', '## Targets missed', '');
  if (missed.length === 0) out.push('None.');
  for (const r of missed) out.push(`- ${esc(r.info.title)}: ${r.info.target?.text ?? ''} — ${r.verdict}`);
  if (report.notes.length > 0) out.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}

function titleOf(report: Report, id: string): string {
  return report.workloads.find((w) => w.id === id)?.title ?? id;
}
