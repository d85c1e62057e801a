import { isEngineError } from '../base/engine-error.js';
import type { ImageRecord } from './image-config.js';
import type { ContainerUsage, DeleteItem } from './image-delete.js';
import type { ImageStore } from './image-store.js';

/** `docker image prune` filters, already parsed (the API layer reads Docker's filter JSON). */
export interface ImagePruneFilters {
  /** true (Docker's default): only images without a tag; false (`-a`): every unused image. */
  danglingOnly: boolean;
  /** `label=k` / `label=k=v`: all must match. */
  labels: string[];
  /** `label!=k` / `label!=k=v`: none may match. */
  notLabels: string[];
  /** `until=…`: only images created locally before this instant (ms since epoch). */
  until?: number;
}

export interface ImagePruneResult {
  deleted: DeleteItem[];
  /** IDs of the images that went (pruned parents included, layers not), for the event log. */
  imageIds: string[];
}

function labelMatches(labels: Record<string, string> | undefined, want: string): boolean {
  const eq = want.indexOf('=');
  const l = labels ?? {};
  return eq === -1 ? want in l : l[want.slice(0, eq)] === want.slice(eq + 1);
}

const isTag = (ref: string) => !ref.includes('@');

/**
 * The images a prune may remove, in the order to remove them; pure. As in moby's image_prune.go:
 * images any container uses (running or not) stay; with danglingOnly only "heads" (no child
 * image) without a tag qualify — an image known only by digest counts as dangling — and their
 * untagged parents go with them through the delete's own parent pruning. Newest first, so a
 * child is tried before its parent when every unused image goes.
 */
export function pruneCandidates(
  records: readonly ImageRecord[],
  f: ImagePruneFilters,
  hasChildren: (id: string) => boolean,
  usage: ContainerUsage,
): ImageRecord[] {
  return records
    .filter((rec) => {
      if (usage(rec.id)) return false;
      // An untagged image with children is an intermediate layer of another image, never a head.
      if (hasChildren(rec.id) && (f.danglingOnly || rec.repoTags.length + rec.repoDigests.length === 0)) return false;
      if (f.danglingOnly && rec.repoTags.some(isTag)) return false;
      const labels = rec.config.config?.Labels;
      if (!f.labels.every((l) => labelMatches(labels, l))) return false;
      if (f.notLabels.some((l) => labelMatches(labels, l))) return false;
      if (f.until !== undefined && rec.createdAt >= f.until) return false;
      return true;
    })
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Removes the candidates through the normal delete path (parents pruned, layers dropped when
 * unused). An image that has meanwhile gained a child, a container or lost its record is
 * skipped, as moby skips conflicts during a prune, instead of failing the whole prune.
 */
export async function pruneImages(store: ImageStore, f: ImagePruneFilters, usage: ContainerUsage): Promise<ImagePruneResult> {
  const db = store.records;
  const hasChildren = (id: string) => db.children(id).length > 0;
  const before = store.list();
  const candidates = pruneCandidates(before, f, hasChildren, usage);
  const deleted: DeleteItem[] = [];
  for (const rec of candidates) {
    if (!db.get(rec.id)) continue; // went with an earlier candidate's parent pruning
    // Children go first (newest first); one that stays keeps its parent whole, tags included.
    if (hasChildren(rec.id)) continue;
    // By reference while it has any (removing the last one deletes the image), else by ID:
    // deleting by ID would refuse an image tagged in several repositories.
    const refs = db.refsOf(rec.id);
    for (const ref of refs.length > 0 ? refs : [rec.id]) {
      try {
        deleted.push(...(await store.remove(ref, { force: false, noPrune: false }, usage)));
      } catch (err) {
        if (isEngineError(err) && (err.kind === 'Conflict' || err.kind === 'NotFound')) break;
        throw err;
      }
    }
  }
  const gone = new Set(deleted.flatMap((d) => ('Deleted' in d ? [d.Deleted] : [])));
  return { deleted, imageIds: before.map((r) => r.id).filter((id) => gone.has(id)) };
}
