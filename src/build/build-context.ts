import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setAttribute } from 'fs-xattr';
import { errnoCode, invalidParameter } from '../base/engine-error.js';
import { spawnSpecialFileMaker } from '../storage/special-files.js';
import { unpackLayerTar } from '../storage/tar-unpack.js';
import { IgnoreMatcher } from './dockerignore.js';
import { cleanRel } from './layered-fs.js';

/**
 * The build context: the client's tarball (plain or gzip, sniffed) unpacked into a private temp
 * directory with the same confinement rules as image layers (`../` entries are refused).
 * As dockerd does, the Dockerfile and .dockerignore are read first and then removed from the
 * context when .dockerignore excludes them.
 */
export interface BuildContext {
  dir: string;
  dockerfile: string;
  ignore: IgnoreMatcher;
  remove(): Promise<void>;
}

export async function openBuildContext(input: Readable, tmpRoot: string, dockerfileName: string, signal?: AbortSignal): Promise<BuildContext> {
  const dir = join(tmpRoot, `build-${randomBytes(8).toString('hex')}`);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const remove = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    await unpackLayerTar(input, dir, { special: spawnSpecialFileMaker, setXattr: (p, n, v) => setAttribute(p, n, v) }, signal);
    // `COPY . /dst` gives /dst the context root's mode: 0755 as in dockerd (the tar has no "." entry).
    await fsp.chmod(dir, 0o755);
    const name = cleanRel(dockerfileName || 'Dockerfile');
    if (name === '' || (dockerfileName ?? '').split('/').includes('..')) {
      throw invalidParameter(`Cannot locate specified Dockerfile: ${dockerfileName}`);
    }
    let dockerfile: string | undefined;
    let usedName = name;
    for (const candidate of dockerfileName ? [name] : ['Dockerfile', 'dockerfile']) {
      try {
        dockerfile = await fsp.readFile(join(dir, candidate), 'utf8');
        usedName = candidate;
        break;
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'EISDIR') throw err;
      }
    }
    if (dockerfile === undefined) throw invalidParameter(`Cannot locate specified Dockerfile: ${dockerfileName || 'Dockerfile'}`);
    if (dockerfile.length === 0) throw invalidParameter(`the Dockerfile (${dockerfileName || 'Dockerfile'}) cannot be empty`);
    // <Dockerfile>.dockerignore beside the Dockerfile wins over the context's .dockerignore.
    let ignoreText = '';
    for (const f of [`${usedName}.dockerignore`, '.dockerignore']) {
      try {
        ignoreText = await fsp.readFile(join(dir, f), 'utf8');
        break;
      } catch {
        continue;
      }
    }
    const ignore = IgnoreMatcher.fromText(ignoreText);
    for (const f of ['.dockerignore', usedName]) {
      if (ignore.matches(f)) await fsp.rm(join(dir, f), { force: true });
    }
    return { dir, dockerfile, ignore, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
