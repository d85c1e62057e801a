import { invalidParameter } from '../base/engine-error.js';

/**
 * HostConfig.Links (`--link name:alias`). docker-compose 1.29 sends them for every one-off
 * `run` container (linking it to the service's own containers), so refusing them breaks `run`.
 * As in Docker they are legacy links, acting only on the default bridge (on user networks Docker
 * ignores them; the CLI turns --link into endpoint aliases there): the alias and the target's
 * name resolve to the target's address through the container's /etc/hosts, written at each
 * start. Docker's link environment variables (ALIAS_PORT_80_TCP=…) are not set.
 */
export interface ContainerLink {
  /** The target container as given: a name or an ID (without a leading slash). */
  name: string;
  /** The name it is known by inside the linking container. */
  alias: string;
}

/**
 * Parses the wire's entries: "name:alias", "name" (alias = name), and the form inspect shows,
 * "/name:/self/alias", so a HostConfig read back from inspect creates the same links.
 */
export function parseLinks(v: unknown): ContainerLink[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalidParameter('HostConfig.Links must be a list of strings');
  return v.map((entry: string) => {
    const cut = entry.indexOf(':');
    const name = (cut === -1 ? entry : entry.slice(0, cut)).replace(/^\/+/, '');
    const rawAlias = cut === -1 ? name : entry.slice(cut + 1);
    const alias = rawAlias.slice(rawAlias.lastIndexOf('/') + 1);
    if (name === '' || alias === '') throw invalidParameter(`invalid link format: "${entry}" (expected name:alias)`);
    return { name, alias };
  });
}

/** What a start needs to know of one link's target. */
export interface LinkTarget {
  name: string;
  running: boolean;
  /** The target's addresses by network name (only while it runs). */
  addresses: ReadonlyArray<{ network: string; ip: string }>;
}

/**
 * The extra /etc/hosts entries ("name:ip", ExtraHosts' form) for a start's links. The target's
 * address on a network this container is on wins, as only that one is reachable from here.
 * A target that does not run is refused with Docker's wording.
 */
export function linkHostEntries(
  selfName: string,
  ownNetworks: readonly string[],
  links: readonly ContainerLink[],
  target: (name: string) => LinkTarget,
): string[] {
  const out = new Set<string>(); // compose links one target under several aliases
  for (const link of links) {
    const t = target(link.name);
    if (!t.running) throw invalidParameter(`Cannot link to a non running container: /${t.name} AS /${selfName}/${link.alias}`);
    const ip = (t.addresses.find((a) => ownNetworks.includes(a.network)) ?? t.addresses[0])?.ip;
    if (!ip) continue; // a target without an address of its own (--net host/none): nothing to resolve
    out.add(`${link.alias}:${ip}`).add(`${t.name}:${ip}`);
  }
  return [...out];
}
