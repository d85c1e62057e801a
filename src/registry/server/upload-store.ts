import { randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hasherDigest, newHasher } from '../../base/digest.js';
import { KeyedMutex } from '../../base/keyed-mutex.js';
import type { BlobStore } from './blob-store.js';
import { uploadRangeHeader, type ByteRange } from './byte-range.js';
import type { MetadataDb } from './metadata-db.js';
import { RegistryError } from './registry-error.js';

/**
 * Blob uploads in progress: one file per upload under `<root>/uploads`, a row in the database
 * naming its repository, and (while this process has seen it) a running sha256 so finishing an
 * upload needs no second read. Every chunk is fsynced before it is acknowledged, so after a
 * restart the file's size is the offset to resume from; the hash is then rebuilt from the file.
 */
interface UploadState {
  size: number;
  /** In step with `size`; undefined after a restart or a failed write (rebuilt on demand). */
  hasher: Hash | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UploadStore {
  readonly dir: string;
  private readonly states = new Map<string, UploadState>();
  private readonly locks = new KeyedMutex();
  /** Uploads with a request in flight, so shutdown can wait for them. */
  private active = 0;

  constructor(
    root: string,
    private readonly db: MetadataDb,
    private readonly blobs: BlobStore,
  ) {
    this.dir = join(root, 'uploads');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  get inFlight(): number {
    return this.active;
  }

  async create(repo: string): Promise<string> {
    const uuid = randomUUID();
    const fh = await open(this.file(uuid), 'wx');
    await fh.close();
    this.db.createUpload(uuid, repo, Date.now());
    this.states.set(uuid, { size: 0, hasher: newHasher() });
    return uuid;
  }

  /** The current size; BLOB_UPLOAD_UNKNOWN for unknown ids and for ids of another repository. */
  async status(repo: string, uuid: string): Promise<number> {
    return this.locks.run(uuid, async () => (await this.state(repo, uuid)).size);
  }

  /**
   * Appends a chunk. With a Content-Range it must start at the current offset (else 416 with
   * the offset in `Range`), and its length must match Content-Length when that is given.
   */
  async append(repo: string, uuid: string, body: AsyncIterable<Buffer>, range?: ByteRange, contentLength?: number): Promise<number> {
    return this.guard(uuid, async () => {
      const st = await this.state(repo, uuid);
      if (range !== undefined) {
        if (range.start !== st.size) {
          throw new RegistryError('BLOB_UPLOAD_INVALID', {
            status: 416,
            detail: `chunk starts at ${range.start}, upload is at ${st.size}`,
            headers: { Range: uploadRangeHeader(st.size), Location: '', 'Docker-Upload-UUID': uuid },
          });
        }
        if (contentLength !== undefined && range.end - range.start + 1 !== contentLength) {
          throw new RegistryError('SIZE_INVALID', { detail: 'Content-Range and Content-Length disagree' });
        }
      }
      await this.write(uuid, st, body);
      return st.size;
    });
  }

  /** Appends the last chunk, checks the digest and moves the blob into the store, linked to `repo`. */
  async finish(repo: string, uuid: string, body: AsyncIterable<Buffer>, digest: string): Promise<void> {
    await this.guard(uuid, async () => {
      const st = await this.state(repo, uuid);
      await this.write(uuid, st, body);
      const hasher = st.hasher ?? (await this.rehash(uuid));
      const actual = hasherDigest(hasher.copy());
      if (actual !== digest) {
        await this.drop(uuid);
        throw new RegistryError('DIGEST_INVALID', { detail: { expected: digest, actual } });
      }
      await this.blobs.adopt(this.file(uuid), digest);
      this.states.delete(uuid);
      this.db.deleteUpload(uuid);
      if (!this.db.linkBlob(repo, digest, () => this.blobs.statSync(digest) !== undefined)) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', { detail: 'blob vanished while being stored; retry' });
      }
    });
  }

  async cancel(repo: string, uuid: string): Promise<void> {
    await this.guard(uuid, async () => {
      await this.state(repo, uuid);
      await this.drop(uuid);
    });
  }

  /** Drops an upload's file and row (garbage collection of abandoned uploads uses this too). */
  async drop(uuid: string): Promise<void> {
    this.states.delete(uuid);
    await unlink(this.file(uuid)).catch(() => {});
    this.db.deleteUpload(uuid);
  }

  private file(uuid: string): string {
    return join(this.dir, uuid);
  }

  private async guard<T>(uuid: string, op: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await this.locks.run(uuid, op);
    } finally {
      this.active--;
    }
  }

  private async state(repo: string, uuid: string): Promise<UploadState> {
    const unknown = () => new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
    if (!UUID_RE.test(uuid)) throw unknown();
    const row = this.db.getUpload(uuid);
    if (row === undefined || row.repo !== repo) throw unknown();
    let st = this.states.get(uuid);
    if (st === undefined) {
      const s = await stat(this.file(uuid)).catch(() => undefined);
      if (s === undefined) {
        this.db.deleteUpload(uuid);
        throw unknown();
      }
      st = { size: s.size, hasher: undefined };
      this.states.set(uuid, st);
    }
    return st;
  }

  private async write(uuid: string, st: UploadState, body: AsyncIterable<Buffer>): Promise<void> {
    const hasher = st.hasher ?? (await this.rehash(uuid));
    // Until the chunk is fully written the hash may be ahead of or behind the file: forget it.
    st.hasher = undefined;
    const fh = await open(this.file(uuid), 'a');
    let size = st.size;
    try {
      // Socket chunks are ~64 KiB; batching them into ~1 MiB writes halves the cost of a push.
      let batch: Buffer[] = [];
      let batched = 0;
      // Written-back while the rest arrives: a datasync every few MiB runs on the thread pool
      // alongside the socket reads, so the final fsync has little left to flush.
      let syncing: Promise<void> = Promise.resolve();
      let unsynced = 0;
      const flush = async () => {
        if (batched === 0) return;
        const buf = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batched);
        batch = [];
        batched = 0;
        let off = 0;
        while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
        hasher.update(buf);
        size += buf.length;
        unsynced += buf.length;
        if (unsynced >= 8 * 1024 * 1024) {
          unsynced = 0;
          await syncing;
          syncing = fh.datasync();
          syncing.catch(() => {});
        }
      };
      for await (const chunk of body) {
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= 1024 * 1024) await flush();
      }
      await flush();
      await syncing;
      await fh.sync();
      st.size = size;
      st.hasher = hasher;
    } catch (e) {
      // A client that went away mid-chunk: resume from what the file holds, rehash on next use.
      const s = await fh.stat().catch(() => undefined);
      st.size = s?.size ?? size;
      throw e;
    } finally {
      await fh.close();
    }
  }

  private async rehash(uuid: string): Promise<Hash> {
    const h = newHasher();
    for await (const chunk of createReadStream(this.file(uuid))) h.update(chunk as Buffer);
    return h;
  }
}
