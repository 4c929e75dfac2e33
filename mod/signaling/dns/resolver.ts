// RFC 3263 ("Locating SIP Servers") for the SIP side: from a SIP/SIPS URI to an ordered list of
// (transport, IP, port) targets, so the proxy can fail over to the next one on a timeout or a
// 503 (RFC 3263 4.3).
//
// Why our own DNS wire client: the issue asks for `Deno.resolveDns(name, type, { nameServer })`
// with the configured `<nameserver>`s and a TTL-respecting cache, but Deno.resolveDns (Deno 2.9)
// returns bare records with no TTL. A cache that invents TTLs either serves stale SRV/A data
// after an operator's change or re-queries far too often. So, when `<nameserver>`s are
// configured, `DnsLookup` queries them with the minimal client of `client.ts` + `wire.ts`
// (UDP, random ids, timeout per query, next nameserver on timeout/SERVFAIL, TCP on a truncated
// answer) and caches every answer for its real TTL, negative answers for the SOA minimum capped
// at `negativeTtl`. Without `<nameserver>`s it uses the system resolver through Deno.resolveDns
// and caches answers for a short fixed `systemTtl` (30 s by default). `useDenoResolver: true`
// forces Deno.resolveDns with the configured nameservers too (same fixed TTL).

import { isIpv4, isIpv6, stripBrackets } from "./_ip.ts";
import { DnsResolutionError } from "./errors.ts";
import { DnsLookup } from "./lookup.ts";
import { orderSrvRecords } from "./srv_order.ts";
import type {
  DnsLookupFunction,
  DnsRecord,
  NaptrRecord,
  SipTransportName,
  SrvRecord,
  Target,
} from "./types.ts";

/** The parts of a SIP URI that RFC 3263 looks at; `SipUri` of message/uri.ts fits. */
export interface TargetUri {
  /** "sip" or "sips" */
  scheme: string;
  /** Domain name or IP literal (IPv6 with or without brackets). */
  host: string;
  port?: number;
  /** URI parameters; `transport` and `maddr` are used. */
  params: ReadonlyMap<string, string | null>;
}

/** Options of `resolveTargets()`. */
export interface ResolveTargetsOptions {
  /** Transports the gateway has on the SIP side. @default {["udp", "tcp", "tls"]} */
  transports?: readonly SipTransportName[];
  /**
   * Record lookups: a `DnsLookup` (cache, configured nameservers) or any function.
   * @default {a new uncached-between-calls DnsLookup on the system resolver}
   */
  lookup?: DnsLookup | DnsLookupFunction;
  /** Random source for the SRV weight selection. @default {Math.random} */
  random?: () => number;
  /** List AAAA addresses before A addresses. @default {false} */
  preferIpv6?: boolean;
}

/** NAPTR services of RFC 3263 4.1 and the SRV prefixes of RFC 3263 4.2, per transport. */
const TRANSPORTS = {
  udp: { service: "SIP+D2U", srv: "_sip._udp", port: 5060 },
  tcp: { service: "SIP+D2T", srv: "_sip._tcp", port: 5060 },
  tls: { service: "SIPS+D2T", srv: "_sips._tcp", port: 5061 },
} as const;

const ALL_TRANSPORTS: readonly SipTransportName[] = ["udp", "tcp", "tls"];

/**
 * Resolves a SIP or SIPS URI to targets in the order to try them (RFC 3263 4):
 * - numeric host: that IP, port from the URI or 5060 / 5061;
 * - port given: A/AAAA of the host;
 * - transport parameter given: SRV for that transport, else A/AAAA on its default port;
 * - otherwise NAPTR (SIP+D2U, SIP+D2T, SIPS+D2T, by order then preference, transports we have)
 *   then SRV of each replacement; no usable NAPTR: SRV `_sips._tcp` (sips) or `_sip._udp`,
 *   `_sip._tcp` (sip); no SRV either: A/AAAA on 5060 with UDP (sip) or 5061 with TLS (sips).
 * SRV records are ordered by priority and RFC 2782 weighted random; each target's A addresses
 * come before its AAAA ones unless `preferIpv6`. Never resolves to an empty list: throws
 * `DnsResolutionError` instead (nothing found, no usable transport, DNS failing).
 */
export async function resolveTargets(
  uri: TargetUri,
  options: ResolveTargetsOptions = {},
): Promise<Target[]> {
  const transports = options.transports ?? ALL_TRANSPORTS;
  const lookup = toLookupFunction(options.lookup);
  const scheme = uri.scheme.toLowerCase();
  if (scheme !== "sip" && scheme !== "sips") {
    throw new DnsResolutionError(
      uri.host,
      "targets",
      `a ${scheme} URI has no SIP server to locate`,
    );
  }
  const secure = scheme === "sips";
  const maddr = uri.params.get("maddr");
  const host = stripBrackets(maddr ?? uri.host);
  const serverName = stripBrackets(uri.host);
  const forced = forcedTransport(uri, secure, host, transports);
  const context: Context = {
    lookup,
    random: options.random ?? Math.random,
    preferIpv6: options.preferIpv6 ?? false,
    serverName,
  };

  // RFC 3263 4.1 / 4.2: a numeric address needs no DNS.
  if (isIpv4(host) || isIpv6(host)) {
    const protocol = forced ?? defaultTransport(secure, host, transports);
    return [{ protocol, host, port: uri.port ?? TRANSPORTS[protocol].port, serverName }];
  }
  if (uri.port !== undefined) {
    const protocol = forced ?? defaultTransport(secure, host, transports);
    return need(
      host,
      await addressTargets(context, host, protocol, uri.port),
      "no A or AAAA records",
    );
  }
  if (forced) {
    const viaSrv = await srvTargets(context, `${TRANSPORTS[forced].srv}.${host}`, forced);
    if (viaSrv.length > 0) return viaSrv;
    return need(
      host,
      await addressTargets(context, host, forced, TRANSPORTS[forced].port),
      `no ${TRANSPORTS[forced].srv} SRV and no A or AAAA records`,
    );
  }

  const usable = secure ? ["tls" as const] : (["udp", "tcp", "tls"] as const);
  const offered = usable.filter((t) => transports.includes(t));
  if (offered.length === 0) {
    throw new DnsResolutionError(
      host,
      "targets",
      `no transport for a ${secure ? "sips" : "sip"} URI (the SIP side has ${
        transports.join(", ") || "none"
      })`,
    );
  }

  const viaNaptr = await naptrTargets(context, host, offered);
  if (viaNaptr.length > 0) return dedupe(viaNaptr);

  // RFC 3263 4.1: no NAPTR: SRV for each supported transport (tls for sips, else udp, tcp).
  const srvTransports = secure ? ["tls" as const] : (["udp", "tcp"] as const);
  const queried = srvTransports.filter((t) => transports.includes(t));
  const viaSrv = await gather(
    queried.map((t) => srvTargets(context, `${TRANSPORTS[t].srv}.${host}`, t)),
  );
  if (viaSrv.targets.length > 0) return dedupe(viaSrv.targets);
  if (viaSrv.allFailed && viaSrv.failed) throw viaSrv.failed.reason;

  // RFC 3263 4.2: no SRV: A/AAAA with UDP on 5060 (sip) or TLS on 5061 (sips).
  const protocol = defaultTransport(secure, host, transports);
  return need(
    host,
    await addressTargets(context, host, protocol, TRANSPORTS[protocol].port),
    "no NAPTR, no SRV and no A or AAAA records",
  );
}

interface Context {
  lookup: DnsLookupFunction;
  random: () => number;
  preferIpv6: boolean;
  serverName: string;
}

function toLookupFunction(lookup: DnsLookup | DnsLookupFunction | undefined): DnsLookupFunction {
  if (typeof lookup === "function") return lookup;
  return (lookup ?? new DnsLookup()).lookupFunction;
}

/** The outcome of resolving several names at once: one failing is fine while others answer. */
interface Gathered {
  /** Targets of every lookup that succeeded, in the order of the lookups. */
  targets: Target[];
  /** The first lookup that failed. */
  failed?: PromiseRejectedResult;
  /** Whether there were lookups and every one failed. */
  allFailed: boolean;
}

async function gather(promises: Promise<Target[]>[]): Promise<Gathered> {
  const results = await Promise.allSettled(promises);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  return {
    targets: results.flatMap((r) => r.status === "fulfilled" ? r.value : []),
    failed: failures[0],
    allFailed: failures.length > 0 && failures.length === results.length,
  };
}

/** The gathered targets; throws the first failure when nothing was found. */
function targetsOrFailure({ targets, failed }: Gathered): Target[] {
  if (targets.length === 0 && failed) throw failed.reason;
  return targets;
}

/** The transport a `transport` parameter or the sips scheme imposes, if any (RFC 3263 4.1). */
function forcedTransport(
  uri: TargetUri,
  secure: boolean,
  host: string,
  transports: readonly SipTransportName[],
): SipTransportName | undefined {
  const param = uri.params.get("transport")?.toLowerCase();
  if (param === undefined) return undefined;
  let protocol: SipTransportName;
  if (param === "tls" || (param === "tcp" && secure)) protocol = "tls";
  else if (param === "tcp") protocol = "tcp";
  else if (param === "udp" && !secure) protocol = "udp";
  else {
    throw new DnsResolutionError(
      host,
      "targets",
      `transport=${param} cannot be used for a ${secure ? "sips" : "sip"} URI on the SIP side`,
    );
  }
  if (!transports.includes(protocol)) {
    throw new DnsResolutionError(
      host,
      "targets",
      `transport=${param} needs ${protocol}, which the SIP side does not have`,
    );
  }
  return protocol;
}

/** TLS for sips; UDP for sip (RFC 3263 4.1), TCP when the gateway has no UDP. */
function defaultTransport(
  secure: boolean,
  host: string,
  transports: readonly SipTransportName[],
): SipTransportName {
  const choices: SipTransportName[] = secure ? ["tls"] : ["udp", "tcp"];
  const protocol = choices.find((t) => transports.includes(t));
  if (!protocol) {
    throw new DnsResolutionError(
      host,
      "targets",
      `no transport for a ${secure ? "sips" : "sip"} URI (the SIP side has ${
        transports.join(", ") || "none"
      })`,
    );
  }
  return protocol;
}

function need(host: string, targets: Target[], detail: string): Target[] {
  if (targets.length === 0) throw new DnsResolutionError(host, "targets", detail);
  return dedupe(targets);
}

function dedupe(targets: Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.protocol} ${t.host} ${t.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isNaptr(record: DnsRecord): record is NaptrRecord {
  return record.type === "NAPTR";
}

function isSrv(record: DnsRecord): record is SrvRecord {
  return record.type === "SRV";
}

/** RFC 3263 4.1: NAPTR records for the transports offered, then their SRV targets. */
async function naptrTargets(
  context: Context,
  host: string,
  offered: readonly SipTransportName[],
): Promise<Target[]> {
  const records = (await context.lookup(host, "NAPTR")).filter(isNaptr);
  const candidates: { record: NaptrRecord; protocol: SipTransportName }[] = [];
  for (const record of records) {
    // RFC 3263 4.1: the flags must be "s" (next step: SRV); the regexp field is unused.
    if (record.flags.toLowerCase() !== "s" || record.replacement === "") continue;
    const service = record.services.toUpperCase();
    const protocol = offered.find((t) => TRANSPORTS[t].service === service);
    if (protocol) candidates.push({ record, protocol });
  }
  candidates.sort((a, b) =>
    a.record.order - b.record.order || a.record.preference - b.record.preference
  );
  return targetsOrFailure(
    await gather(
      candidates.map(({ record, protocol }) => srvTargets(context, record.replacement, protocol)),
    ),
  );
}

/** RFC 3263 4.2 + RFC 2782: SRV records at `name`, ordered, each target resolved to addresses. */
async function srvTargets(
  context: Context,
  name: string,
  protocol: SipTransportName,
): Promise<Target[]> {
  const records = orderSrvRecords(
    (await context.lookup(name, "SRV")).filter(isSrv),
    context.random,
  );
  return targetsOrFailure(
    await gather(records.map((r) => addressTargets(context, r.target, protocol, r.port))),
  );
}

/** A and AAAA of `host` (both asked at once; one failing is fine if the other answers). */
async function addressTargets(
  context: Context,
  host: string,
  protocol: SipTransportName,
  port: number,
): Promise<Target[]> {
  const literal = stripBrackets(host);
  if (isIpv4(literal) || isIpv6(literal)) {
    return [{ protocol, host: literal, port, serverName: context.serverName }];
  }
  const [v4, v6] = await Promise.allSettled([
    context.lookup(host, "A"),
    context.lookup(host, "AAAA"),
  ]);
  if (v4.status === "rejected" && v6.status === "rejected") throw v4.reason;
  const addresses = (result: PromiseSettledResult<DnsRecord[]>, type: "A" | "AAAA") =>
    result.status === "fulfilled"
      ? result.value.flatMap((r) => r.type === type ? [r.address] : [])
      : [];
  const ipv4 = addresses(v4, "A");
  const ipv6 = addresses(v6, "AAAA");
  const ordered = context.preferIpv6 ? [...ipv6, ...ipv4] : [...ipv4, ...ipv6];
  return ordered.map((address) => ({
    protocol,
    host: address,
    port,
    serverName: context.serverName,
  }));
}
