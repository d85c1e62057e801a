import { runWithInput } from './ip-batch.js';

/** Applies an nft script as one transaction (`nft -f -`): all of it or none of it. */
export async function runNft(script: string): Promise<void> {
  await runWithInput('nft', ['-f', '-'], script);
}
