import { GoTemplate } from './go-template.js';
import { GoObject, type GoValue } from './go-value.js';
import { tabwrite } from './tabwriter.js';

/**
 * docker's list formatter: "table ..." formats print a header row and go through the
 * tabwriter; other formats print one executed template per row. `\t` and `\n` written
 * literally in the format are turned into real tabs and newlines, as docker does.
 */
export function renderList(format: string, rows: GoValue[], headers: Record<string, string>): string {
  const isTable = format.startsWith('table');
  let body = isTable ? format.slice('table'.length) : format;
  body = body.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const tmpl = new GoTemplate(body);
  let out = '';
  if (isTable) {
    const entries = new Map<string, GoValue>();
    for (const [k, v] of Object.entries(headers)) entries.set(k, (...args: GoValue[]) => (args.length > 0 ? String(args[0]) : v));
    const header = tmpl.execute(new GoObject(entries, 'map'));
    if (header !== '') out += `${header}\n`;
  }
  for (const row of rows) out += `${tmpl.execute(row)}\n`;
  return isTable ? tabwrite(out) : out;
}

/** Builds a row object whose fields are computed on use, like docker's *Context types. */
export function contextObject(typeName: string, fields: Record<string, (...args: GoValue[]) => GoValue>, json: () => GoValue): GoObject {
  return new GoObject(new Map(Object.entries(fields)), 'struct', typeName, json);
}

/** Parses `-f key=value` filters into the map form CLI 28 sends: {"key":{"value":true}}. */
export function filtersJson(filters: string[], extra: [string, string][] = []): string | undefined {
  const m = new Map<string, Set<string>>();
  for (const f of filters) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new Error(`bad format of filter (expected name=value)`);
    const k = f.slice(0, eq).trim().toLowerCase();
    const v = f.slice(eq + 1).trim();
    m.set(k, (m.get(k) ?? new Set()).add(v));
  }
  for (const [k, v] of extra) m.set(k, (m.get(k) ?? new Set()).add(v));
  if (m.size === 0) return undefined;
  const obj: Record<string, Record<string, boolean>> = {};
  for (const k of [...m.keys()].sort()) {
    const inner: Record<string, boolean> = {};
    for (const v of [...(m.get(k) ?? [])].sort()) inner[v] = true;
    obj[k] = inner;
  }
  return JSON.stringify(obj);
}
