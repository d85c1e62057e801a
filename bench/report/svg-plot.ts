// plot.svg: hand-written bar charts (no plotting dependency), one panel per question — run
// latency and per-container memory — with a bar per engine, a p10–p90 whisker, the median
// printed on the bar, and the target drawn as a dashed line where there is an absolute one.
import type { Unit } from './measurement.js';
import { formatValue, type Report } from './report.js';

export interface PlotBar {
  label: string;
  workload: string;
  engine: string;
}

export interface PlotPanel {
  title: string;
  unit: Unit;
  bars: PlotBar[];
  target?: { value: number; label: string };
}

const PANEL_W = 440;
const PANEL_H = 320;
const TOP = 50;
const BOTTOM = 60;
const LEFT = 60;
const COLORS: Record<string, string> = { skiff: '#2a7ab0', dockerd: '#d0703a', podman: '#7a5ab0' };

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round axis maximum (1, 2 or 5 times a power of ten) at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(report: Report, p: PlotPanel, x0: number): string {
  const find = (b: PlotBar) => report.measurements.find((m) => m.workload === b.workload && m.engine === b.engine);
  const present = (engine: string) => report.engines.find((e) => e.name === engine)?.present ?? false;
  const values = p.bars.flatMap((b) => {
    const m = find(b);
    return m ? [m.median, m.p90] : [];
  });
  const top = niceMax(Math.max(...values.filter(Number.isFinite), p.target?.value ?? 0, 0) * 1.1);
  const plotH = PANEL_H - TOP - BOTTOM;
  // One decimal is finer than a pixel and keeps the file readable.
  const y = (v: number) => Math.round((TOP + plotH - (Math.min(v, top) / top) * plotH) * 10) / 10;
  const slot = Math.floor((PANEL_W - LEFT - 20) / Math.max(1, p.bars.length));
  const parts: string[] = [`<g transform="translate(${x0},0)">`];
  parts.push(`<text x="${PANEL_W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${xml(p.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    parts.push(`<line x1="${LEFT}" x2="${PANEL_W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${xml(formatValue(v, p.unit))}</text>`);
  }
  p.bars.forEach((b, i) => {
    const m = find(b);
    const cx = LEFT + slot * i + slot / 2;
    const w = Math.min(60, slot * 0.6);
    parts.push(`<text x="${cx}" y="${PANEL_H - BOTTOM + 18}" text-anchor="middle" font-size="12">${xml(b.label)}</text>`);
    if (m === undefined || !Number.isFinite(m.median)) {
      const why = present(b.engine) ? 'not measured' : 'not installed';
      parts.push(`<text x="${cx}" y="${y(0) - 8}" text-anchor="middle" font-size="11" fill="#888">${why}</text>`);
      return;
    }
    const color = COLORS[b.engine] ?? '#555';
    const h = Math.round((y(0) - y(m.median)) * 10) / 10;
    parts.push(`<rect class="bar" data-engine="${xml(b.engine)}" x="${cx - w / 2}" y="${y(m.median)}" width="${w}" height="${h}" fill="${color}"/>`);
    if (m.samples.length > 1) {
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(m.p10)}" y2="${y(m.p90)}" stroke="#222" stroke-width="1.5"/>`);
      for (const v of [m.p10, m.p90]) parts.push(`<line x1="${cx - 6}" x2="${cx + 6}" y1="${y(v)}" y2="${y(v)}" stroke="#222" stroke-width="1.5"/>`);
    }
    parts.push(`<text x="${cx}" y="${Math.min(y(m.median), y(m.p90)) - 6}" text-anchor="middle" font-size="11">${xml(formatValue(m.median, m.unit))}</text>`);
  });
  if (p.target !== undefined) {
    const ty = y(p.target.value);
    parts.push(`<line class="target" x1="${LEFT}" x2="${PANEL_W - 20}" y1="${ty}" y2="${ty}" stroke="#c00" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${PANEL_W - 22}" y="${ty - 4}" text-anchor="end" font-size="11" fill="#c00">${xml(p.target.label)}</text>`);
  }
  parts.push(`<text x="${PANEL_W / 2}" y="${PANEL_H - 14}" text-anchor="middle" font-size="10" fill="#666">median, whisker p10–p90</text>`);
  parts.push('</g>');
  return parts.join('\n');
}

export function renderSvg(report: Report, panels: readonly PlotPanel[]): string {
  const width = PANEL_W * panels.length;
  const height = PANEL_H + 30;
  const body = panels.map((p, i) => panel(report, p, i * PANEL_W)).join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n` +
    `<text x="10" y="${height - 8}" font-size="10" fill="#666">skiff ${report.mode} benchmark run, ${xml(report.startedAt)}</text>\n</svg>\n`
  );
}
