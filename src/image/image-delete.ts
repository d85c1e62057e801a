import { conflict } from '../base/engine-error.js';
import { shortId } from '../base/ids.js';
import type { ImageRecord } from './image-config.js';
import type { ImageStore } from './image-store.js';
import { familiarize, normalizedString, parseNormalizedReference, repositoryName, withDefaultTag } from './reference.js';

/**
 * `docker rmi` semantics, following the behaviour of moby's daemon/images/image_delete.go:
 * - by name: that reference is removed; the image goes only when no reference is left
 *   (and then quietly: a container still using it keeps it);
 * - by ID: all references go only if they are one tag (plus digests) of one repository,
 *   otherwise `force` is needed;
 * - hard conflicts (a running container, child images) cannot be forced; soft ones
 *   (a stopped container, other references) can.
 */
export type DeleteItem = { Untagged: string } | { Deleted: string };

/** Which container uses an image: return a running one if there is any, else a stopped one. */
export type ContainerUsage = (imageId: string) => { containerId: string; running: boolean } | undefined;

const HARD_CHILD = 1;
const HARD_RUNNING = 2;
const SOFT_REFERENCE = 4;
const SOFT_STOPPED = 8;
const HARD = HARD_CHILD | HARD_RUNNING;
const SOFT = SOFT_REFERENCE | SOFT_STOPPED;

interface DeleteConflict {
  hard: boolean;
  used: boolean;
  message: string;
}

export async function removeImage(
  store: ImageStore,
  rec: ImageRecord,
  refOrId: string,
  opts: { force: boolean; prune: boolean },
  usage: ContainerUsage,
): Promise<DeleteItem[]> {
  const db = store.records;
  const items: DeleteItem[] = [];
  const id = rec.id;
  let refs = db.refsOf(id);
  let removedRepositoryRef = false;

  if (!isIdPrefix(id, refOrId)) {
    if (!opts.force && isSingleReference(refs)) {
      const user = usage(id);
      if (user) {
        throw conflict(
          `conflict: unable to remove repository reference "${refOrId}" (must force) - container ${shortId(user.containerId)} is using its referenced image ${shortId(id)}`,
        );
      }
    }
    const parsed = withDefaultTag(parseNormalizedReference(refOrId));
    const normalized = normalizedString(parsed);
    db.deleteRef(normalized);
    items.push({ Untagged: familiarize(normalized) });
    refs = db.refsOf(id);
    if (parsed.digest === undefined) {
      // With the last tag of a repository gone, its digest references go too.
      const repo = repositoryName(parsed);
      const sameRepo = (r: string) => repositoryName(parseNormalizedReference(r)) === repo;
      if (!refs.some((r) => !r.includes('@') && sameRepo(r))) {
        for (const r of refs.filter((r) => r.includes('@') && sameRepo(r))) {
          db.deleteRef(r);
          items.push({ Untagged: familiarize(r) });
        }
        refs = db.refsOf(id);
      }
    }
    if (refs.length > 0) return items;
    removedRepositoryRef = true;
  } else if (isSingleReference(refs)) {
    const found = checkConflict(store, id, opts.force ? HARD : HARD | SOFT_STOPPED, usage);
    if (found) throw conflictError(id, found);
    for (const r of refs) {
      db.deleteRef(r);
      items.push({ Untagged: familiarize(r) });
    }
  }
  await deleteHelper(store, id, items, opts.force, opts.prune, removedRepositoryRef, usage);
  return items;
}

async function deleteHelper(
  store: ImageStore,
  id: string,
  items: DeleteItem[],
  force: boolean,
  prune: boolean,
  quiet: boolean,
  usage: ContainerUsage,
): Promise<void> {
  const db = store.records;
  const found = checkConflict(store, id, force ? HARD : HARD | SOFT, usage);
  if (found) {
    const dangling = db.refsOf(id).length === 0 && db.children(id).length === 0;
    if (quiet && (!dangling || found.used)) return;
    throw conflictError(id, found);
  }
  const rec = store.get(id);
  const top = store.topChainId(rec);
  // References and the record go in one transaction; blob and layers after, so a crash
  // leaves only unreferenced files (removed at startup), never a record without its data.
  const refs = db.refsOf(id);
  db.transaction(() => {
    for (const r of refs) db.deleteRef(r);
    db.deleteImage(id);
  });
  for (const r of refs) items.push({ Untagged: familiarize(r) });
  // The config blob belongs to this image alone: its digest is the image ID.
  await store.content.delete(rec.id);
  items.push({ Deleted: id });
  if (top) for (const layer of await store.dropLayerIfUnused(top)) items.push({ Deleted: layer });
  if (prune && rec.parentId && db.get(rec.parentId)) {
    await deleteHelper(store, rec.parentId, items, false, true, true, usage);
  }
}

function checkConflict(store: ImageStore, id: string, mask: number, usage: ContainerUsage): DeleteConflict | undefined {
  if (mask & HARD_CHILD && store.records.children(id).length > 0) {
    return { hard: true, used: false, message: 'image has dependent child images' };
  }
  const user = usage(id);
  if (mask & HARD_RUNNING && user?.running) {
    return { hard: true, used: true, message: `image is being used by running container ${shortId(user.containerId)}` };
  }
  if (mask & SOFT_REFERENCE && store.records.refsOf(id).length > 0) {
    return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
  }
  if (mask & SOFT_STOPPED && user && !user.running) {
    return { hard: false, used: true, message: `image is being used by stopped container ${shortId(user.containerId)}` };
  }
  return undefined;
}

function conflictError(id: string, c: DeleteConflict) {
  return conflict(`conflict: unable to delete ${shortId(id)} (${c.hard ? 'cannot be forced' : 'must be forced'}) - ${c.message}`);
}

/** True when all references are of one repository with at most one tag. False for none. */
function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: string | undefined;
  const digestRepos = new Set<string>();
  for (const r of refs) {
    const repo = repositoryName(parseNormalizedReference(r));
    if (r.includes('@')) digestRepos.add(repo);
    else if (single === undefined) single = repo;
    else return false;
  }
  const name = single ?? repositoryName(parseNormalizedReference(refs[0] as string));
  return digestRepos.size === 1 && digestRepos.has(name);
}

/** Whether what the user typed is (a prefix of) the image ID rather than a name. */
function isIdPrefix(id: string, typed: string): boolean {
  return id.startsWith(typed) || id.slice('sha256:'.length).startsWith(typed);
}
