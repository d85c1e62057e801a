import type { Database } from 'better-sqlite3';
import { join } from 'node:path';
import type { Digest } from '../../base/digest.js';
import { EngineError, invalidParameter } from '../../base/engine-error.js';
import type { Logger } from '../../base/log.js';
import type { ImageStore } from '../../image/image-store.js';
import { LayerBlobDb } from '../../image/layer-blob-db.js';
import type { ManifestFormat, Platform } from '../../image/manifest.js';
import { familiarString, parseNormalizedReference, repositoryName, type ImageRef } from '../../image/reference.js';
import { repositoryScope } from './auth-challenge.js';
import type { AuthConfig } from './auth-config.js';
import { pullImage } from './image-puller.js';
import { imagesToPush, pushImage } from './image-pusher.js';
import { pullResult, pushRefersTo, type ProgressMessage } from './progress-messages.js';
import { readBody, registryErrorOf } from './registry-error.js';
import { DEFAULT_CERTS_DIR, domainOfServerAddress, resolveEndpoint, type RegistryHostsConfig } from './registry-hosts.js';
import { RegistrySession } from './registry-session.js';

export interface RegistryServiceOptions {
  images: ImageStore;
  db: Database;
  /** The data root: pulls spool early layers to `<dataRoot>/tmp`. */
  dataRoot: string;
  insecureRegistries?: readonly string[];
  certsDir?: string;
  log?: Logger;
  /** Manifest format of pushes (dockerd pushes Docker schema2). */
  pushFormat?: ManifestFormat;
  hostPlatform?: Platform;
}

export interface StreamOptions {
  signal?: AbortSignal;
  emit(msg: ProgressMessage): void;
}

/** Login, push and pull against registries that speak the OCI distribution API. */
export class RegistryService {
  readonly blobs: LayerBlobDb;
  private readonly hosts: RegistryHostsConfig;

  constructor(private readonly opts: RegistryServiceOptions) {
    this.blobs = new LayerBlobDb(opts.db);
    this.hosts = { insecure: opts.insecureRegistries ?? [], certsDir: opts.certsDir ?? DEFAULT_CERTS_DIR };
  }

  session(domain: string, auth: AuthConfig): RegistrySession {
    return new RegistrySession(resolveEndpoint(domain, this.hosts), auth, this.opts.log);
  }

  /**
   * `POST /auth`: checks the credentials against the registry as dockerd's loginV2 does:
   * `GET /v2/`, then the challenge's flow (basic, or a bearer token from the realm).
   */
  async login(auth: AuthConfig, signal?: AbortSignal): Promise<{ Status: string; IdentityToken: string }> {
    const domain = domainOfServerAddress(auth.serveraddress ?? '');
    const session = this.session(domain, auth);
    try {
      const first = await session.ping(signal);
      if (first === 200) return { Status: 'Login Succeeded', IdentityToken: '' };
      const base = await session.baseUrl(signal);
      const res = await session.request({ method: 'GET', path: '/v2/', ...(signal ? { signal } : {}) });
      const code = res.statusCode ?? 0;
      if (code === 200) {
        res.resume();
        return { Status: 'Login Succeeded', IdentityToken: '' };
      }
      await readBody(res).catch(() => undefined);
      throw new EngineError(code === 401 ? 'Unauthorized' : 'System', `login attempt to ${base}/v2/ failed with status: ${code} ${statusText(code)}`);
    } finally {
      session.close();
    }
  }

  /** `POST /images/{name}/push?tag=`: one tag, or every tag of the repository when none is given. */
  async push(name: string, tag: string, auth: AuthConfig, opts: StreamOptions & { format?: ManifestFormat }): Promise<void> {
    const parsed = parseNormalizedReference(name);
    if (parsed.digest !== undefined) throw invalidParameter('cannot push a digest reference');
    const ref: ImageRef = { domain: parsed.domain, path: parsed.path };
    const wantTag = tag || parsed.tag;
    if (wantTag) ref.tag = wantTag;
    const todo = imagesToPush(this.opts.images, ref);
    const session = this.session(ref.domain, auth);
    try {
      opts.emit(pushRefersTo(repositoryName(ref)));
      for (const { tag: t, image } of todo) {
        await pushImage(
          { images: this.opts.images, blobs: this.blobs },
          session,
          ref,
          t,
          image,
          { format: opts.format ?? this.opts.pushFormat ?? 'docker', emit: opts.emit, ...(opts.signal ? { signal: opts.signal } : {}) },
        );
      }
    } finally {
      session.close();
    }
  }

  /**
   * `POST /images/create?fromImage=&tag=`: `tag` may be a tag or a digest; no tag at all means
   * every tag of the repository (`docker pull --all-tags`). Returns the familiar references pulled.
   */
  async pull(fromImage: string, tag: string, auth: AuthConfig, opts: StreamOptions & { platform?: string }): Promise<Array<{ ref: string; imageId: Digest }>> {
    const parsed = parseNormalizedReference(tag ? (tag.includes(':') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`) : fromImage);
    const session = this.session(parsed.domain, auth);
    try {
      let refs: ImageRef[];
      if (parsed.tag === undefined && parsed.digest === undefined) {
        refs = (await this.listTags(session, parsed, opts.signal)).map((t) => ({ domain: parsed.domain, path: parsed.path, tag: t }));
      } else refs = [parsed];
      const out: Array<{ ref: string; imageId: Digest }> = [];
      for (const ref of refs) {
        const r = await pullImage(
          {
            images: this.opts.images,
            blobs: this.blobs,
            tmpDir: join(this.opts.dataRoot, 'tmp'),
            hostPlatform: this.opts.hostPlatform ?? { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' },
          },
          session,
          ref,
          { emit: opts.emit, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.platform ? { platform: opts.platform } : {}) },
        );
        const shown = familiarString(ref);
        opts.emit(pullResult(shown, r.newer));
        out.push({ ref: shown, imageId: r.imageId });
      }
      return out;
    } finally {
      session.close();
    }
  }

  private async listTags(session: RegistrySession, ref: ImageRef, signal?: AbortSignal): Promise<string[]> {
    const res = await session.fetch({ method: 'GET', path: `/v2/${ref.path}/tags/list`, scopes: [repositoryScope(ref.path, ['pull'])], ...(signal ? { signal } : {}) });
    if (res.statusCode !== 200) throw await registryErrorOf(res);
    const doc = JSON.parse((await readBody(res)).toString('utf8')) as { tags?: string[] | null };
    const tags = (doc.tags ?? []).sort();
    if (tags.length === 0) throw new EngineError('NotFound', `no tags found for ${familiarString(ref)}`);
    return tags;
  }
}

function statusText(code: number): string {
  const t: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
  return t[code] ?? '';
}
