import type { Digest } from '../base/digest.js';
import { UndoStack } from '../base/undo-stack.js';
import { chainIdOf, type LayerStore } from '../storage/layer-store.js';
import { EMPTY_LAYER_DIFF_ID, packTar, type TarEntry } from '../storage/layer-diff-tar.js';
import type { ContainerConfigFields, HistoryEntry, ImageConfig, ImageRecord } from './image-config.js';
import type { ImageStore } from './image-store.js';

/**
 * Makes a child image: the parent's layers plus (when `entries` is not empty) one new layer
 * packed from `entries`, with `config` and one more history entry. A step that changed no file
 * gets `empty_layer: true` and no new diffID, as Docker records metadata-only steps.
 * Shared by `docker commit` and every build step.
 */
export interface CommitLayerDeps {
  images: ImageStore;
  layers: LayerStore;
}

export interface CommitLayerInput {
  /** undefined for a step on `FROM scratch`. */
  parent: ImageRecord | undefined;
  entries: readonly TarEntry[];
  config: ContainerConfigFields;
  createdBy: string;
  author?: string;
  comment?: string;
  /** The container the layer came from (Docker's `container` field). */
  containerId?: string;
  /** ISO time; default now (SOURCE_DATE_EPOCH builds pin it). */
  created?: string;
  /** Platform of a scratch image. */
  platform?: { os: string; architecture: string };
  signal?: AbortSignal;
}

export interface CommitResult {
  image: ImageRecord;
  emptyLayer: boolean;
}

export async function commitLayer(deps: CommitLayerDeps, input: CommitLayerInput): Promise<CommitResult> {
  const parentConfig: ImageConfig | undefined = input.parent?.config;
  const diffIds: Digest[] = [...(parentConfig?.rootfs.diff_ids ?? [])];
  let parentChain: Digest | undefined;
  for (const d of diffIds) parentChain = chainIdOf(parentChain, d);
  const undo = new UndoStack();
  try {
    let emptyLayer = input.entries.length === 0;
    if (!emptyLayer) {
      const applied = await deps.layers.applyTar(packTar(input.entries), parentChain, input.signal);
      if (applied.diffId === EMPTY_LAYER_DIFF_ID) emptyLayer = true;
      else {
        // Layers no image stands on go away again if the commit fails (a no-op for shared ones).
        undo.push('layer', async () => void (await deps.images.dropLayerIfUnused(applied.chainId)));
        diffIds.push(applied.diffId);
      }
    }
    const created = input.created ?? new Date().toISOString();
    const history: HistoryEntry = { created };
    if (input.author) history.author = input.author;
    history.created_by = input.createdBy;
    if (input.comment) history.comment = input.comment;
    if (emptyLayer) history.empty_layer = true;
    const config: ImageConfig = {
      architecture: parentConfig?.architecture ?? input.platform?.architecture ?? 'amd64',
      ...(parentConfig?.variant ? { variant: parentConfig.variant } : {}),
      os: parentConfig?.os ?? input.platform?.os ?? 'linux',
      ...(input.author ? { author: input.author } : parentConfig?.author ? { author: parentConfig.author } : {}),
      config: input.config,
      ...(input.comment ? { comment: input.comment } : {}),
      ...(input.containerId ? { container: input.containerId } : {}),
      created,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [...(parentConfig?.history ?? []), history],
    };
    const image = await deps.images.createImage(config, { parentId: input.parent?.id ?? '', signal: input.signal });
    undo.commit();
    return { image, emptyLayer };
  } catch (err) {
    await undo.rollback();
    throw err;
  }
}
