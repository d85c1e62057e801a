import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The first executable called `name` on PATH (plus the sbin dirs a root daemon expects), or "". */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string {
  const dirs = [...path.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return '';
}
