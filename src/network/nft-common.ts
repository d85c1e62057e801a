/**
 * What skiff's `ip` and `ip6` tables share (nft-ruleset.ts, nft-ruleset6.ts): the bridge sets and
 * the forward chain are the same in both families, so they are rendered once here. Pure.
 */
export const quoteIfname = (s: string): string => `"${s.replace(/[^A-Za-z0-9_.-]/g, '')}"`;

export function elements(items: readonly string[]): string {
  return items.length ? ` elements = { ${items.join(', ')} };` : '';
}

export interface BridgeNet {
  bridge: string;
  internal: boolean;
}

/** The `bridges` and `internal` interface-name sets. */
export function bridgeSetLines(networks: readonly BridgeNet[]): string[] {
  const bridges = networks.map((n) => quoteIfname(n.bridge));
  const internal = networks.filter((n) => n.internal).map((n) => quoteIfname(n.bridge));
  return [`  set bridges { type ifname;${elements(bridges)} }`, `  set internal { type ifname;${elements(internal)} }`];
}

/**
 * Same-bridge traffic passes; internal networks reach nothing outside; networks are isolated from
 * each other; inbound only for replies and published ports.
 */
export function forwardChainLines(networks: readonly BridgeNet[]): string[] {
  return [
    `  chain forward {`,
    `    type filter hook forward priority filter; policy accept;`,
    ...networks.map((n) => `    iifname ${quoteIfname(n.bridge)} oifname ${quoteIfname(n.bridge)} accept`),
    `    iifname @internal drop`,
    `    oifname @internal drop`,
    `    iifname @bridges oifname @bridges drop`,
    `    oifname @bridges ct state established,related accept`,
    `    oifname @bridges ct status dnat accept`,
    `    oifname @bridges drop`,
    `  }`,
  ];
}
