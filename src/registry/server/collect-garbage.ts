import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../base/log.js';
import { BlobStore } from './blob-store.js';
import { MetadataDb } from './metadata-db.js';

/**
 * `skiff registry gc`: mark every blob a manifest of any repository references (and the
 * manifests themselves), sweep the rest. It can run while the server is serving: blobs touched
 * less than `graceMs` before the collection started are spared (a push uploads its layers before
 * its manifest), and each deletion re-checks references and age inside an IMMEDIATE transaction
 * that pushes also take, so a manifest can never commit against a blob being deleted.
 * Abandoned uploads older than `uploadTtlMs` go too.
 */
export interface GcOptions {
  root: string;
  graceMs: number;
  uploadTtlMs: number;
  dryRun?: boolean;
  now?: number;
  log?: Logger;
}

export interface GcReport {
  blobsScanned: number;
  blobsDeleted: string[];
  bytesFreed: number;
  uploadsRemoved: number;
}

export async function collectGarbage(o: GcOptions): Promise<GcReport> {
  const log = o.log ?? silentLogger;
  const start = o.now ?? Date.now();
  const blobCutoff = start - o.graceMs;
  const blobs = new BlobStore(o.root);
  const db = MetadataDb.open(join(o.root, 'registry.db'));
  const report: GcReport = { blobsScanned: 0, blobsDeleted: [], bytesFreed: 0, uploadsRemoved: 0 };
  try {
    for await (const b of blobs.walk()) {
      report.blobsScanned++;
      if (b.mtimeMs >= blobCutoff) continue;
      if (o.dryRun === true) {
        if (!db.isReferenced(b.digest)) {
          report.blobsDeleted.push(b.digest);
          report.bytesFreed += b.size;
        }
        continue;
      }
      const swept = db.sweepBlob(
        b.digest,
        () => (blobs.statSync(b.digest)?.mtimeMs ?? Infinity) < blobCutoff,
        () => blobs.unlinkSync(b.digest),
      );
      if (swept) {
        report.blobsDeleted.push(b.digest);
        report.bytesFreed += b.size;
        log.info('blob deleted', { digest: b.digest, size: b.size });
      }
    }
    const uploadCutoff = start - o.uploadTtlMs;
    const uploadsDir = join(o.root, 'uploads');
    for (const uuid of db.uploadsStartedBefore(uploadCutoff)) {
      const s = await stat(join(uploadsDir, uuid)).catch(() => undefined);
      // Still being written to: an upload in progress, however old, is not abandoned.
      if (s !== undefined && s.mtimeMs >= uploadCutoff) continue;
      if (o.dryRun !== true) {
        await unlink(join(uploadsDir, uuid)).catch(() => {});
        db.deleteUpload(uuid);
      }
      report.uploadsRemoved++;
    }
    if (o.dryRun !== true) {
      // Temp files of writes a crash interrupted.
      for (const name of await readdir(blobs.tmpDir).catch(() => [] as string[])) {
        const s = await stat(join(blobs.tmpDir, name)).catch(() => undefined);
        if (s !== undefined && s.mtimeMs < blobCutoff) await blobs.removeTemp(name);
      }
    }
  } finally {
    db.close();
  }
  return report;
}
