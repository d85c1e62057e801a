import { invalidParameter } from '../base/engine-error.js';
import { compareVersions } from './api-version.js';

/** The object types `GET /system/df?type=` names (API ≥ 1.42). */
export type DfType = 'container' | 'image' | 'volume' | 'build-cache';
const allTypes: readonly DfType[] = ['container', 'image', 'volume', 'build-cache'];

/**
 * Which parts of the answer to compute. Before API 1.42, or without any `type`, everything (as
 * moby); an unknown type is moby's 400.
 */
export function dfTypes(query: URLSearchParams, apiVersion: string): Set<DfType> {
  const asked = query.getAll('type');
  if (compareVersions(apiVersion, '1.42') < 0 || asked.length === 0) return new Set(allTypes);
  const out = new Set<DfType>();
  for (const t of asked) {
    if (!(allTypes as readonly string[]).includes(t)) throw invalidParameter(`unknown object type: ${t}`);
    out.add(t as DfType);
  }
  return out;
}

export interface ImageLayers {
  id: string;
  /** The image's layers, bottom first: chain ID and the bytes of that layer alone. */
  layers: ReadonlyArray<{ chainId: string; size: number }>;
}

export interface ImageUsage {
  /** Bytes of all its layers. */
  size: number;
  /** Bytes of its layers that another image uses too. */
  sharedSize: number;
  /** Containers (any state) made from it. */
  containers: number;
}

/**
 * dockerd's extra image attributes of `system df`: a layer is shared when more than one image's
 * chain holds it; Size - SharedSize is what `df -v` prints as UNIQUE SIZE.
 */
export function imageUsage(images: readonly ImageLayers[], containerImageIds: readonly string[]): Map<string, ImageUsage> {
  const refs = new Map<string, number>();
  for (const img of images) {
    for (const l of new Set(img.layers.map((x) => x.chainId))) refs.set(l, (refs.get(l) ?? 0) + 1);
  }
  const out = new Map<string, ImageUsage>();
  for (const img of images) {
    let size = 0;
    let sharedSize = 0;
    for (const l of img.layers) {
      size += l.size;
      if ((refs.get(l.chainId) ?? 0) > 1) sharedSize += l.size;
    }
    out.set(img.id, { size, sharedSize, containers: containerImageIds.filter((id) => id === img.id).length });
  }
  return out;
}

/** The fields moby serialises with `omitempty`: a zero size is left out, as dockerd does. */
export function containerSizes(sizeRw: number, imageSize: number): { SizeRw?: number; SizeRootFs?: number } {
  const out: { SizeRw?: number; SizeRootFs?: number } = {};
  if (sizeRw > 0) out.SizeRw = sizeRw;
  if (sizeRw + imageSize > 0) out.SizeRootFs = sizeRw + imageSize;
  return out;
}
