/**
 * `<allowed-destinations>`: the relay policy's list of SIP domains, hosts, IPs and networks
 * the gateway may forward requests to, and the matcher the proxy uses.
 * @module
 */

import type { DestinationRule } from "./config.ts";
import { isHostname, parseIPv4, parseIPv6, samePrefix, unbracket } from "./_ip.ts";
import { InvalidValue } from "./_values.ts";

const EXPECTED =
  "*, a host name, *.domain, an IPv4/IPv6 address or a network in CIDR form (10.0.0.0/8, fd00::/8)";

/**
 * Parses one entry: `*`, `example.com`, `*.example.com`, `192.0.2.7`, `[2001:db8::1]`,
 * `10.0.0.0/8`, `fd00::/8`. Throws an error with an `expected` text when it is none of them.
 */
export function parseDestinationRule(text: string): DestinationRule {
  const entry = text.trim();
  if (entry === "*") return { type: "any" };
  const slash = entry.indexOf("/");
  const address = unbracket(slash >= 0 ? entry.slice(0, slash) : entry);
  const v4 = parseIPv4(address);
  const v6 = v4 ? undefined : parseIPv6(address);
  if (v4 || v6) {
    const max = v4 ? 32 : 128;
    let prefixLength = max;
    if (slash >= 0) {
      const prefix = entry.slice(slash + 1);
      if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
        throw new InvalidValue(`${EXPECTED}; got "${entry}" (prefix length 0-${max})`);
      }
      prefixLength = Number(prefix);
    }
    return { type: "network", family: v4 ? 4 : 6, address, prefixLength };
  }
  if (slash < 0) {
    const wildcard = entry.startsWith("*.");
    const name = (wildcard ? entry.slice(2) : entry).toLowerCase().replace(/\.$/, "");
    if (isHostname(name)) return { type: "domain", name, subdomains: wildcard };
  }
  throw new InvalidValue(`${EXPECTED}; got "${entry}"`);
}

/**
 * Whether `host` (a host name, or an IP address with or without brackets) matches a rule.
 * The proxy checks the Request-URI/Route host AND every address it resolves to, so that a
 * name cannot be used to smuggle a request to a network that is not allowed (and vice
 * versa a resolved address can be allowed by a network rule).
 */
export function isDestinationAllowed(rules: readonly DestinationRule[], host: string): boolean {
  const bare = unbracket(host.trim());
  const v4 = parseIPv4(bare);
  const v6 = v4 ? undefined : parseIPv6(bare);
  const name = bare.toLowerCase().replace(/\.$/, "");
  for (const rule of rules) {
    switch (rule.type) {
      case "any":
        return true;
      case "network": {
        const bytes = rule.family === 4 ? v4 : v6;
        const ruleBytes = rule.family === 4 ? parseIPv4(rule.address) : parseIPv6(rule.address);
        if (bytes && ruleBytes && samePrefix(bytes, ruleBytes, rule.prefixLength)) return true;
        // IPv4-mapped IPv6 (::ffff:a.b.c.d) against an IPv4 rule.
        if (rule.family === 4 && v6 && ruleBytes && isV4Mapped(v6)) {
          if (samePrefix(v6.subarray(12), ruleBytes, rule.prefixLength)) return true;
        }
        break;
      }
      case "domain":
        if (v4 || v6) break;
        if (rule.subdomains ? name.endsWith(`.${rule.name}`) : name === rule.name) return true;
        break;
    }
  }
  return false;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** The text form of a rule, as it would be written in config.xml. */
export function formatDestinationRule(rule: DestinationRule): string {
  switch (rule.type) {
    case "any":
      return "*";
    case "network": {
      const full = rule.prefixLength === (rule.family === 4 ? 32 : 128);
      return full ? rule.address : `${rule.address}/${rule.prefixLength}`;
    }
    case "domain":
      return rule.subdomains ? `*.${rule.name}` : rule.name;
  }
}
