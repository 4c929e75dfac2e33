/**
 * From the gateway's configuration and DNS module to what {@linkcode SipProxy} takes: its
 * options (`public-address`, `allowed-destinations`, `flow-token-secret`) and an RFC 3263
 * resolver bound to the configured `<nameserver>`s.
 *
 * @module
 */

import type { Config, DestinationRule } from "../../config/config.ts";
import { resolveTargets, type ResolveTargetsOptions } from "../dns/mod.ts";
import type { ProxyResolver } from "./ports.ts";
import type { SipProxyOptions } from "./proxy_core.ts";

/** The `allowed-destinations` text of one configured rule (relay_policy.ts syntax). */
export function destinationRuleText(rule: DestinationRule): string {
  switch (rule.type) {
    case "any":
      return "*";
    case "network":
      return `${rule.address}/${rule.prefixLength}`;
    case "domain":
      return rule.subdomains ? `*.${rule.name}` : rule.name;
  }
}

/** Proxy options from the configuration; `extra` adds what the config does not hold. */
export function proxyOptionsFromConfig(
  config: Pick<Config, "publicAddress" | "allowedDestinations" | "flowTokenSecret">,
  extra: Pick<SipProxyOptions, "instanceId" | "interfaceAddresses" | "aliases"> = {},
): SipProxyOptions {
  return {
    ...extra,
    publicAddress: config.publicAddress,
    allowedDestinations: config.allowedDestinations.map(destinationRuleText),
    flowTokenSecret: config.flowTokenSecret.reveal(),
  };
}

/** RFC 3263 resolution through `lookup` (a DnsLookup on the configured nameservers). */
export function dnsResolver(lookup: NonNullable<ResolveTargetsOptions["lookup"]>): ProxyResolver {
  return (uri, options) => resolveTargets(uri, { transports: options.transports, lookup });
}
