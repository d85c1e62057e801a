import type { ContainerPaths } from '../../container/container-paths.js';
import type { ContainerRecord } from '../../container/container-record.js';
import { directorySize } from '../../container/disk-usage.js';
import type { ImageRecord } from '../../image/image-config.js';
import type { ImageStore } from '../../image/image-store.js';
import type { LayerInfo } from '../../storage/layer-store.js';
import type { VolumeRecord } from '../../volume/volume-store.js';
import { compareVersions } from '../api-version.js';
import { sendJson } from '../request-context.js';
import type { Route } from '../router.js';
import { containerSizes, dfTypes, imageUsage, type ImageLayers } from '../system-df.js';
import { mapLimit } from '../../base/map-limit.js';

export interface SystemDfDeps {
  images: Pick<ImageStore, 'list' | 'summaryShape' | 'topChainId'> & { records: { children(id: string): unknown[] } };
  layers: { list(): LayerInfo[]; chain(chainId: LayerInfo['chainId']): LayerInfo[] };
  containers: { list(): ContainerRecord[]; paths(id: string): ContainerPaths };
  /** One element of `GET /containers/json` for a record (ports and networks included). */
  containerSummary(rec: ContainerRecord): Record<string, unknown>;
  volumes: { list(): VolumeRecord[]; shape(v: VolumeRecord): Record<string, unknown>; users(name: string): string[]; dataDir(name: string): string };
}


/** An image's layers bottom first, or none when its chain is not (or no longer) in the store. */
function layersOf(deps: SystemDfDeps, rec: ImageRecord): ImageLayers {
  const top = deps.images.topChainId(rec);
  if (top === undefined) return { id: rec.id, layers: [] };
  try {
    return { id: rec.id, layers: deps.layers.chain(top).reverse().map((l) => ({ chainId: l.chainId, size: l.size })) };
  } catch {
    return { id: rec.id, layers: [{ chainId: top, size: rec.size }] };
  }
}

/** `GET /system/df`: `docker system df [-v]`, dockerode's df(), docker-py's client.df(). */
export function systemDfRoutes(deps: SystemDfDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/system/df',
      handler: async (ctx) => {
        const want = dfTypes(ctx.query, ctx.apiVersion);
        const oldApi = (v: string) => compareVersions(ctx.apiVersion, v) < 0;
        // As dockerd: the image list without build intermediates (untagged parents).
        const images = deps.images
          .list()
          .filter((r) => r.repoTags.length > 0 || r.repoDigests.length > 0 || deps.images.records.children(r.id).length === 0);
        const containers = deps.containers.list();
        const usage = imageUsage(
          images.map((r) => layersOf(deps, r)),
          containers.map((c) => c.spec.imageId),
        );
        const body: Record<string, unknown> = {};
        if (want.has('image')) {
          const layersSize = deps.layers.list().reduce((n, l) => n + l.size, 0);
          if (layersSize > 0) body.LayersSize = layersSize;
        }
        body.Images = want.has('image')
          ? images.map((r) => {
              const u = usage.get(r.id);
              const size = u && u.size > 0 ? u.size : r.size;
              return {
                ...deps.images.summaryShape(r),
                Containers: u?.containers ?? 0,
                SharedSize: u?.sharedSize ?? 0,
                Size: size,
                ...(oldApi('1.44') ? { VirtualSize: size } : {}),
              };
            })
          : null;
        // Sizes are walks: a few at once, not a flood of the disk.
        body.Containers = want.has('container')
          ? await mapLimit(containers, 4, async (c) => {
              const sizeRw = await directorySize(deps.containers.paths(c.id).upper, ctx.signal);
              const imageSize = usage.get(c.spec.imageId)?.size ?? 0;
              return { ...deps.containerSummary(c), ...containerSizes(sizeRw, imageSize) };
            })
          : null;
        body.Volumes = want.has('volume')
          ? await mapLimit(deps.volumes.list(), 4, async (v) => ({
              ...deps.volumes.shape(v),
              UsageData: { RefCount: deps.volumes.users(v.name).length, Size: await directorySize(deps.volumes.dataDir(v.name), ctx.signal) },
            }))
          : null;
        // No BuildKit: nothing is ever in the build cache.
        body.BuildCache = want.has('build-cache') ? [] : null;
        if (oldApi('1.42')) body.BuilderSize = 0;
        sendJson(ctx, 200, body);
      },
    },
  ];
}
