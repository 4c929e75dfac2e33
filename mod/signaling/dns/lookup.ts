// Cached record lookups: the configured nameservers through our own wire client (real TTLs),
// or the system resolver through Deno.resolveDns (no TTLs reported: a fixed short TTL).
// See the comment at the top of resolver.ts for why.

import { DnsCache } from "./cache.ts";
import { queryNameServers } from "./client.ts";
import { DnsResolutionError } from "./errors.ts";
import type { DnsLookupFunction, DnsQueryType, DnsRecord, NameServer } from "./types.ts";
import { DNS_RCODES, type DnsMessage } from "./wire.ts";

/** Options of a `DnsLookup`. */
export interface DnsLookupOptions {
  /**
   * The configured `<nameserver>` entries, tried in order. When empty, the system resolver
   * (`/etc/resolv.conf`) is used through `Deno.resolveDns`.
   * @default {[]}
   */
  nameservers?: readonly NameServer[];
  /** Time to wait for each answer, milliseconds. @default {2000} */
  timeout?: number;
  /** Tries per nameserver (wire client only). @default {1} */
  attempts?: number;
  /**
   * Query the configured nameservers with `Deno.resolveDns({ nameServer })` instead of the
   * wire client. Loses the real TTLs: answers are cached for `systemTtl`.
   * @default {false}
   */
  useDenoResolver?: boolean;
  /**
   * Seconds to cache answers that came without a TTL (from `Deno.resolveDns`).
   * @default {30}
   */
  systemTtl?: number;
  /**
   * Upper bound in seconds for caching a negative answer (NXDOMAIN / NODATA). The SOA of the
   * answer lowers it (RFC 2308 5).
   * @default {30}
   */
  negativeTtl?: number;
  /**
   * Seconds a nameserver that failed (timeout, SERVFAIL...) is tried after the others, so
   * that a dead first `<nameserver>` does not cost a timeout on every query.
   * @default {30}
   */
  nameserverPenalty?: number;
  /** Clock in milliseconds for the cache and the nameserver penalty. @default {Date.now} */
  now?: () => number;
  /** Cache to use (shared between lookups). @default {a new DnsCache} */
  cache?: DnsCache;
  /** The network query, replaceable in tests. @default {queryNameServers} */
  query?: typeof queryNameServers;
  /** The system resolver, replaceable in tests. @default {Deno.resolveDns} */
  resolveDns?: typeof Deno.resolveDns;
}

/** CNAME hops followed at most (RFC 1034 3.6.2 says chains should not exist; be tolerant). */
const MAX_CNAME_HOPS = 8;

interface Resolved {
  records: DnsRecord[];
  ttl: number;
}

function sameName(a: string, b: string): boolean {
  const strip = (n: string) => (n.endsWith(".") ? n.slice(0, -1) : n).toLowerCase();
  return strip(a) === strip(b);
}

/**
 * Looks up records with a TTL-respecting cache (negative answers included) and one network
 * query in flight per (name, type) however many callers ask at once.
 */
export class DnsLookup {
  #options: DnsLookupOptions;
  #cache: DnsCache;
  #inFlight = new Map<string, Promise<DnsRecord[]>>();
  #queries = 0;
  #penalized = new Map<NameServer, number>();

  constructor(options: DnsLookupOptions = {}) {
    this.#options = options;
    this.#cache = options.cache ?? new DnsCache({ now: options.now });
  }

  /** Network queries sent so far (cache hits excluded). */
  get queries(): number {
    return this.#queries;
  }

  /** The cache in use. */
  get cache(): DnsCache {
    return this.#cache;
  }

  /** This lookup as a plain function, for `resolveTargets({ lookup })`. */
  get lookupFunction(): DnsLookupFunction {
    return (name, type) => this.lookup(name, type);
  }

  /**
   * Records of `type` at `name`, CNAMEs followed; empty for NXDOMAIN / NODATA. Throws
   * `DnsResolutionError` when no nameserver answers.
   */
  lookup(name: string, type: DnsQueryType): Promise<DnsRecord[]> {
    return this.#lookup(name, type, 0);
  }

  #lookup(name: string, type: DnsQueryType, hops: number): Promise<DnsRecord[]> {
    const cached = this.#cache.get(name, type);
    if (cached) return Promise.resolve(cached);
    const fetch = () =>
      this.#fetch(name, type, hops).then(({ records, ttl }) => {
        this.#cache.set(name, type, records, ttl);
        return records;
      });
    // Alias targets (hops > 0) bypass the sharing so that a CNAME loop cannot wait on itself.
    if (hops > 0) return fetch();
    const key = `${type} ${name.toLowerCase()}`;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const promise = fetch().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  #fetch(name: string, type: DnsQueryType, hops: number): Promise<Resolved> {
    const nameservers = this.#options.nameservers ?? [];
    if (nameservers.length === 0 || this.#options.useDenoResolver) {
      return this.#fetchDeno(name, type, nameservers);
    }
    return this.#fetchWire(name, type, nameservers, hops);
  }

  async #fetchWire(
    name: string,
    type: DnsQueryType,
    nameservers: readonly NameServer[],
    hops: number,
  ): Promise<Resolved> {
    const query = this.#options.query ?? queryNameServers;
    this.#queries++;
    const answer = await query(name, type, this.#ordered(nameservers), {
      timeout: this.#options.timeout,
      attempts: this.#options.attempts,
      onFailure: (server) => {
        const now = (this.#options.now ?? Date.now)();
        this.#penalized.set(server, now + (this.#options.nameserverPenalty ?? 30) * 1000);
      },
    });
    if (answer.rcode === DNS_RCODES.NXDOMAIN) {
      return { records: [], ttl: this.#negativeTtl(answer) };
    }
    let owner = name;
    let ttl = Infinity;
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const records = answer.answers.filter((r) => r.type === type && sameName(r.name, owner));
      if (records.length > 0) {
        return { records, ttl: Math.min(ttl, ...records.map((r) => r.ttl)) };
      }
      const alias = answer.answers.find((r) => r.type === "CNAME" && sameName(r.name, owner));
      if (!alias || alias.type !== "CNAME") break;
      ttl = Math.min(ttl, alias.ttl);
      owner = alias.target;
    }
    if (owner !== name) {
      // The answer stopped at an alias: ask for its target (RFC 1034 5.3.3).
      if (hops >= MAX_CNAME_HOPS) {
        throw new DnsResolutionError(name, type, `more than ${MAX_CNAME_HOPS} CNAME hops`);
      }
      const records = await this.#lookup(owner, type, hops + 1);
      const further = records.length > 0
        ? Math.min(...records.map((r) => r.ttl))
        : this.#options.negativeTtl ?? 30;
      return { records, ttl: Math.min(ttl, further) };
    }
    return { records: [], ttl: this.#negativeTtl(answer) };
  }

  /** Configured order, nameservers that failed recently moved to the end. */
  #ordered(nameservers: readonly NameServer[]): readonly NameServer[] {
    if (this.#penalized.size === 0) return nameservers;
    const now = (this.#options.now ?? Date.now)();
    for (const [server, until] of this.#penalized) {
      if (until <= now) this.#penalized.delete(server);
    }
    const healthy = nameservers.filter((s) => !this.#penalized.has(s));
    return [...healthy, ...nameservers.filter((s) => this.#penalized.has(s))];
  }

  #negativeTtl(answer: DnsMessage): number {
    const cap = this.#options.negativeTtl ?? 30;
    const soa = answer.authorities.find((r) => r.type === "SOA");
    if (!soa || soa.type !== "SOA") return cap;
    return Math.min(cap, soa.ttl, soa.minimum);
  }

  async #fetchDeno(
    name: string,
    type: DnsQueryType,
    nameservers: readonly NameServer[],
  ): Promise<Resolved> {
    const resolveDns = this.#options.resolveDns ?? Deno.resolveDns;
    const timeout = this.#options.timeout ?? 2000;
    const servers: (NameServer | undefined)[] = nameservers.length > 0 ? [...nameservers] : [
      undefined,
    ];
    const failures: string[] = [];
    for (const server of servers) {
      this.#queries++;
      try {
        const raw = await resolveDns(name, type, {
          signal: AbortSignal.timeout(timeout),
          ...(server ? { nameServer: { ipAddr: server.host, port: server.port ?? 53 } } : {}),
        });
        return {
          records: fromDeno(name, type, raw, this.#options.systemTtl ?? 30),
          ttl: this.#options.systemTtl ?? 30,
        };
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          return { records: [], ttl: this.#options.negativeTtl ?? 30 };
        }
        const where = server ? `${server.host}:${server.port ?? 53}` : "system resolver";
        failures.push(`${where} failed (${(error as Error).message})`);
      }
    }
    throw new DnsResolutionError(name, type, `no nameserver answered: ${failures.join("; ")}`);
  }
}

function fromDeno(name: string, type: DnsQueryType, raw: unknown, ttl: number): DnsRecord[] {
  const list = raw as unknown[];
  switch (type) {
    case "A":
    case "AAAA":
      return (list as string[]).map((address) => ({ type, name, ttl, address }));
    case "SRV":
      return (list as Deno.SrvRecord[]).map((r) => ({
        type,
        name,
        ttl,
        priority: r.priority,
        weight: r.weight,
        port: r.port,
        target: r.target.replace(/\.$/, ""),
      }));
    case "NAPTR":
      return (list as Deno.NaptrRecord[]).map((r) => ({
        type,
        name,
        ttl,
        order: r.order,
        preference: r.preference,
        flags: r.flags,
        services: r.services,
        regexp: r.regexp,
        replacement: r.replacement.replace(/\.$/, ""),
      }));
  }
}
