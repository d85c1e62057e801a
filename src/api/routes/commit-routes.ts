import { invalidParameter } from '../../base/engine-error.js';
import { commitContainer, type ContainerSource } from '../../image/commit-container.js';
import type { ContainerConfigFields } from '../../image/image-config.js';
import type { ImageStore } from '../../image/image-store.js';
import { parseNormalizedReference } from '../../image/reference.js';
import { idShiftFor } from '../../container/id-mapping.js';
import { changeList, realDiffFs, upperChanges } from '../../storage/layer-diff.js';
import type { LayerStore } from '../../storage/layer-store.js';
import { readJsonBody, sendJson } from '../request-context.js';
import type { Route } from '../router.js';

export interface CommitRouteDeps {
  containers: ContainerSource;
  images: ImageStore;
  layers: LayerStore;
}

/** `docker commit` (POST /commit) and `docker diff` (GET /containers/{id}/changes). */
export function commitRoutes(deps: CommitRouteDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/commit',
      handler: async (ctx) => {
        const q = ctx.query;
        const container = q.get('container') ?? '';
        const repo = q.get('repo') ?? '';
        const tag = q.get('tag') ?? '';
        let ref: string | undefined;
        if (repo !== '') {
          ref = tag !== '' ? `${repo}:${tag}` : repo;
          if (parseNormalizedReference(ref).digest !== undefined) throw invalidParameter('refusing to create a tag with a digest reference');
        } else if (tag !== '') throw invalidParameter('repository name must have at least one component');
        const body = await readJsonBody<Partial<ContainerConfigFields> | null>(ctx);
        deps.containers.resolve(container);
        const image = await commitContainer(deps, container, {
          author: q.get('author') ?? '',
          comment: q.get('comment') ?? '',
          changes: q.getAll('changes'),
          config: body ?? null,
          signal: ctx.signal,
        });
        if (ref !== undefined) deps.images.tag(image.id, ref);
        sendJson(ctx, 201, { Id: image.id });
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/changes',
      handler: async (ctx) => {
        const rec = deps.containers.resolve(ctx.params['id'] ?? '');
        const image = deps.images.records.get(rec.spec.imageId);
        const lowers = image ? deps.images.layerDirs(image.id) : [];
        const map = deps.containers.idMapOf?.(rec);
        const list = changeList(await upperChanges(deps.containers.paths(rec.id).upper, lowers, realDiffFs, map ? idShiftFor(map) : undefined));
        // Go encodes an empty change slice as null, and clients accept that.
        sendJson(ctx, 200, list.length === 0 ? null : list);
      },
    },
  ];
}
