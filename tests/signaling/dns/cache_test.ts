import { assertEquals } from "../../_assert.ts";
import { DnsCache } from "../../../mod/signaling/dns/cache.ts";
import type { DnsRecord } from "../../../mod/signaling/dns/types.ts";

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

const A: DnsRecord = { type: "A", name: "h.test", ttl: 10, address: "192.0.2.1" };

Deno.test("DnsCache.get() returns records until their TTL runs out", () => {
  const fake = clock();
  const cache = new DnsCache({ now: fake.now });
  cache.set("h.test", "A", [A], 10);
  fake.advance(9_999);
  assertEquals(cache.get("h.test", "A")?.map((r) => r.type === "A" && r.address), ["192.0.2.1"]);
  fake.advance(1);
  assertEquals(cache.get("h.test", "A"), undefined);
  assertEquals(cache.size, 0);
});

Deno.test("DnsCache.get() lowers the TTLs by the time spent in the cache", () => {
  const fake = clock();
  const cache = new DnsCache({ now: fake.now });
  cache.set("h.test", "A", [A], 10);
  fake.advance(4_500);
  assertEquals(cache.get("h.test", "A")?.[0].ttl, 6);
});

Deno.test("DnsCache.get() matches names case-insensitively, trailing dot or not, per type", () => {
  const cache = new DnsCache({ now: clock().now });
  cache.set("H.Test.", "A", [A], 10);
  assertEquals(cache.get("h.test", "A")?.length, 1);
  assertEquals(cache.get("h.test", "AAAA"), undefined);
});

Deno.test("DnsCache.set() caches negative answers and skips a zero TTL", () => {
  const fake = clock();
  const cache = new DnsCache({ now: fake.now });
  cache.set("gone.test", "SRV", [], 5);
  assertEquals(cache.get("gone.test", "SRV"), []);
  fake.advance(5_000);
  assertEquals(cache.get("gone.test", "SRV"), undefined);
  cache.set("h.test", "A", [A], 0);
  assertEquals(cache.get("h.test", "A"), undefined);
});

Deno.test("DnsCache.set() caps TTLs at maxTtl and evicts the oldest entry past maxEntries", () => {
  const fake = clock();
  const cache = new DnsCache({ now: fake.now, maxTtl: 60, maxEntries: 2 });
  cache.set("a.test", "A", [A], 86_400);
  fake.advance(60_000);
  assertEquals(cache.get("a.test", "A"), undefined);
  cache.set("a.test", "A", [A], 100);
  cache.set("b.test", "A", [A], 100);
  cache.set("c.test", "A", [A], 100);
  assertEquals(cache.size, 2);
  assertEquals(cache.get("a.test", "A"), undefined);
  assertEquals(cache.get("c.test", "A")?.length, 1);
});
