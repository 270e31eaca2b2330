import { BlockList, isIP } from 'node:net';

/** One parsed CIDR block: the network address as written, its prefix length and family. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Host bits may be set
 * (`10.1.2.3/8` means 10.0.0.0/8), as in most firewalls. Zone ids (`fe80::1%eth0`) are refused:
 * they name an interface of one machine, which an allowlist in a config file cannot mean.
 * Returns undefined when the text is not a CIDR.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const maxPrefix = version === 4 ? 32 : 128;
  if (slash === -1) return { address, prefix: maxPrefix, family };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > maxPrefix) return undefined;
  return { address, prefix, family };
}

/** The address without an IPv6 zone id, which BlockList does not understand. */
function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

/**
 * A predicate that is true for addresses inside any of the CIDRs. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`, what a dual-stack socket reports for an IPv4 peer) match IPv4 blocks, and
 * the other way round, because node's BlockList compares them as the same address. An address
 * that is not an IP address at all is never allowed. An empty list allows nothing.
 *
 * Throws TypeError on a CIDR that `parseCidr` refuses; validated config never contains one.
 */
export function createIpAllowlist(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (cidr === undefined) throw new TypeError(`"${text}" is not a CIDR`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return (address: string): boolean => {
    const bare = withoutZone(address);
    const version = isIP(bare);
    if (version === 0) return false;
    return list.check(bare, version === 4 ? 'ipv4' : 'ipv6');
  };
}
