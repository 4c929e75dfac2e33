import { assertEquals } from "../../_assert.ts";
import { orderSrvRecords } from "../../../mod/signaling/dns/srv_order.ts";
import type { SrvRecord } from "../../../mod/signaling/dns/types.ts";

function srv(target: string, priority: number, weight: number): SrvRecord {
  return { type: "SRV", name: "_sip._udp.test", ttl: 60, priority, weight, port: 5060, target };
}

/** Deterministic generator (mulberry32) so the statistics below cannot flake. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("orderSrvRecords() puts lower priorities first whatever the weights", () => {
  const ordered = orderSrvRecords([srv("c", 30, 100), srv("a", 10, 0), srv("b", 20, 65535)]);
  assertEquals(ordered.map((r) => r.target), ["a", "b", "c"]);
});

Deno.test("orderSrvRecords() drops targets of '.' (service not available)", () => {
  assertEquals(orderSrvRecords([srv(".", 10, 0), srv("a", 20, 0)]).map((r) => r.target), ["a"]);
});

Deno.test("orderSrvRecords() picks by running weight sum (RFC 2782)", () => {
  const records = [srv("w1", 10, 1), srv("w3", 10, 3)];
  // sum 4: random 0 -> pick 0 -> w1 (running 1 >= 0); random 0.99 -> pick 4 -> w3.
  assertEquals(orderSrvRecords(records, () => 0).map((r) => r.target), ["w1", "w3"]);
  assertEquals(orderSrvRecords(records, () => 0.99).map((r) => r.target), ["w3", "w1"]);
});

Deno.test("orderSrvRecords() selects in proportion to weight and gives zero weight a small chance", () => {
  const random = seeded(7);
  const records = [srv("heavy", 10, 60), srv("light", 10, 20), srv("zero", 10, 0)];
  const firsts = new Map<string, number>();
  const rounds = 4000;
  for (let i = 0; i < rounds; i++) {
    const first = orderSrvRecords(records, random)[0].target;
    firsts.set(first, (firsts.get(first) ?? 0) + 1);
  }
  // Expected shares: pick in [0, 80] -> zero 1/81, heavy 60/81, light 20/81.
  const share = (t: string) => (firsts.get(t) ?? 0) / rounds;
  assertEquals(Math.abs(share("heavy") - 60 / 81) < 0.04, true, `heavy ${share("heavy")}`);
  assertEquals(Math.abs(share("light") - 20 / 81) < 0.04, true, `light ${share("light")}`);
  assertEquals(share("zero") < 0.03, true, `zero ${share("zero")}`);
});
