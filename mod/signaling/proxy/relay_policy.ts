/**
 * No open relay: which SIP-side destinations the gateway forwards to (config
 * `allowed-destinations`). Entries are SIP domains or hostnames (`example.com`, or
 * `*.example.com` for every name below it), IP addresses and CIDRs (`192.0.2.0/24`,
 * `2001:db8::/32`), or `*` for anywhere. A policy built from no entries forwards anywhere (the
 * config layer warns about it at start).
 *
 * A destination is checked twice: its URI host by name before any DNS lookup
 * ({@linkcode RelayPolicy.allowsHost}), and when that does not allow it, each resolved
 * address ({@linkcode RelayPolicy.allowsAddress}), so that a listed IP range admits every
 * name resolving into it.
 *
 * @module
 */

import { BlockList, isIP } from "node:net";

/** An `allowed-destinations` entry that is neither a name, an address, a CIDR nor `*`. */
export class RelayPolicyParseError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "RelayPolicyParseError";
  }
}

const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?$/;

/** Allowed SIP-side destinations. */
export class RelayPolicy {
  #open: boolean;
  #names = new Set<string>();
  #suffixes: string[] = [];
  #addresses = new BlockList();
  #hasAddresses = false;
  /** Answers already computed (the policy never changes once built): node:net's BlockList
   * costs ~10 us a check, and a proxy checks the same few destinations all the time. */
  #hostAnswers = new Map<string, boolean>();
  #addressAnswers = new Map<string, boolean>();

  /** Throws {@linkcode RelayPolicyParseError} for an entry it cannot read. */
  constructor(entries: readonly string[] = []) {
    this.#open = entries.length === 0;
    for (const raw of entries) this.#add(raw.trim());
  }

  /** True when every destination is allowed (`*`, or no entries at all). */
  get open(): boolean {
    return this.#open;
  }

  /** True when some entry is an address or CIDR (resolved addresses are worth checking). */
  get hasAddressEntries(): boolean {
    return this.#hasAddresses;
  }

  /** Whether a URI host (name or IP literal, IPv6 with or without brackets) is allowed. */
  allowsHost(host: string): boolean {
    if (this.#open) return true;
    const known = this.#hostAnswers.get(host);
    if (known !== undefined) return known;
    return remember(this.#hostAnswers, host, this.#allowsHost(host));
  }

  #allowsHost(host: string): boolean {
    const bare = unbracket(host).toLowerCase();
    if (isIP(bare) !== 0) return this.allowsAddress(bare);
    const name = bare.endsWith(".") ? bare.slice(0, -1) : bare;
    if (this.#names.has(name)) return true;
    return this.#suffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Whether an IP address (a resolved target) is allowed. */
  allowsAddress(address: string): boolean {
    if (this.#open) return true;
    const known = this.#addressAnswers.get(address);
    if (known !== undefined) return known;
    return remember(this.#addressAnswers, address, this.#allowsAddress(address));
  }

  #allowsAddress(address: string): boolean {
    const ip = normalizeAddress(unbracket(address));
    const family = isIP(ip);
    if (family === 0 || !this.#hasAddresses) return false;
    return this.#addresses.check(ip, family === 4 ? "ipv4" : "ipv6");
  }

  #add(entry: string): void {
    const fail = (detail: string) =>
      new RelayPolicyParseError(`Cannot parse allowed destination "${entry}": ${detail}`);
    if (entry === "") throw fail("entry is empty");
    if (entry === "*") {
      this.#open = true;
      return;
    }
    const slash = entry.indexOf("/");
    if (slash >= 0) {
      const ip = normalizeAddress(unbracket(entry.slice(0, slash)));
      const bitsText = entry.slice(slash + 1);
      const family = isIP(ip);
      if (family === 0) throw fail("prefix is not an IP address");
      const max = family === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) {
        throw fail(`prefix length must be 0 to ${max}`);
      }
      this.#addresses.addSubnet(ip, Number(bitsText), family === 4 ? "ipv4" : "ipv6");
      this.#hasAddresses = true;
      return;
    }
    const bare = normalizeAddress(unbracket(entry));
    const family = isIP(bare);
    if (family !== 0) {
      this.#addresses.addAddress(bare, family === 4 ? "ipv4" : "ipv6");
      this.#hasAddresses = true;
      return;
    }
    const name = entry.toLowerCase();
    if (name.startsWith("*.")) {
      const rest = name.slice(2);
      if (!HOSTNAME.test(rest)) throw fail("not a domain name");
      this.#suffixes.push("." + (rest.endsWith(".") ? rest.slice(0, -1) : rest));
      return;
    }
    if (!HOSTNAME.test(name)) throw fail("not a domain name, IP address or CIDR");
    this.#names.add(name.endsWith(".") ? name.slice(0, -1) : name);
  }
}

/** Bound of each answer cache: past it the cache starts again (a scan of many names cannot
 * grow memory). */
const MAX_ANSWERS = 1024;

function remember(cache: Map<string, boolean>, key: string, answer: boolean): boolean {
  if (cache.size >= MAX_ANSWERS) cache.clear();
  cache.set(key, answer);
  return answer;
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are checked as IPv4. */
function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}
