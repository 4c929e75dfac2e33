// A TTL cache of DNS answers, keyed by (name, type), on an injectable clock.

import type { DnsQueryType, DnsRecord } from "./types.ts";

/** Options of a `DnsCache`. */
export interface DnsCacheOptions {
  /** Clock in milliseconds. @default {Date.now} */
  now?: () => number;
  /** Entries kept at most; the oldest inserted entry goes first. @default {10000} */
  maxEntries?: number;
  /** Upper bound on any TTL, seconds (RFC 2181 8 allows 2^31 - 1; a gateway wants less). @default {86400} */
  maxTtl?: number;
}

interface Entry {
  records: DnsRecord[];
  expires: number;
}

function keyOf(name: string, type: DnsQueryType): string {
  const lower = name.toLowerCase();
  return `${type} ${lower.endsWith(".") ? lower.slice(0, -1) : lower}`;
}

/**
 * Answers stored for their TTL. An empty record list is a negative answer (NXDOMAIN or
 * NODATA, RFC 2308) and is cached the same way, with the TTL its caller chose.
 */
export class DnsCache {
  #entries = new Map<string, Entry>();
  #now: () => number;
  #maxEntries: number;
  #maxTtl: number;

  constructor(options: DnsCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 10000;
    this.#maxTtl = options.maxTtl ?? 86400;
  }

  /** Number of entries held, expired ones included until touched. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The records stored for (name, type), with their TTLs lowered by the time spent in the
   * cache, or undefined when absent or expired.
   */
  get(name: string, type: DnsQueryType): DnsRecord[] | undefined {
    const key = keyOf(name, type);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const now = this.#now();
    if (now >= entry.expires) {
      this.#entries.delete(key);
      return undefined;
    }
    const left = Math.ceil((entry.expires - now) / 1000);
    return entry.records.map((record) => ({ ...record, ttl: Math.min(record.ttl, left) }));
  }

  /**
   * Stores records for `ttl` seconds (capped by `maxTtl`). A TTL of 0 stores nothing
   * (RFC 1035 3.2.1: use for the transaction in progress only).
   */
  set(name: string, type: DnsQueryType, records: DnsRecord[], ttl: number): void {
    const key = keyOf(name, type);
    this.#entries.delete(key);
    const seconds = Math.min(ttl, this.#maxTtl);
    if (!(seconds > 0)) return;
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { records, expires: this.#now() + seconds * 1000 });
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
