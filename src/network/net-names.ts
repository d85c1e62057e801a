import { createHash } from 'node:crypto';

/**
 * Kernel object names of one daemon. The daemon on the default exec root uses "skiff" (bridge
 * skiff0, nft table skiff, veths skiffv…); a daemon on another exec root (tests, a second
 * engine) gets "sk" + 5 hex of its exec root, so two daemons never touch each other's objects
 * and startup reconcile can tell its own leftovers by prefix. Interface names fit in 15 bytes.
 */
export function networkTag(execRoot: string): string {
  if (execRoot.replace(/\/+$/, '') === '/run/skiff') return 'skiff';
  return 'sk' + createHash('sha256').update(execRoot).digest('hex').slice(0, 5);
}

export function defaultBridgeName(tag: string): string {
  return `${tag}0`;
}

export function userBridgeName(tag: string, networkId: string): string {
  return `${tag}-${networkId.slice(0, 14 - tag.length)}`;
}

/** The host side of a container's veth pair on one network. */
export function vethName(tag: string, containerId: string, networkId: string): string {
  const h = createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
  return `${tag}v${h.slice(0, 14 - tag.length)}`;
}

/** Whether an interface name is one this daemon makes (bridges or veths). */
export function isOwnInterface(tag: string, ifname: string): boolean {
  return ifname === defaultBridgeName(tag) || ifname.startsWith(`${tag}-`) || ifname.startsWith(`${tag}v`);
}
