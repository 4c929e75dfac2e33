import { assertEquals, assertRejects } from "../../_assert.ts";
import { DnsLookup } from "../../../mod/signaling/dns/lookup.ts";
import type { queryNameServers } from "../../../mod/signaling/dns/client.ts";
import { DnsResolutionError } from "../../../mod/signaling/dns/errors.ts";
import type { DnsRecord } from "../../../mod/signaling/dns/types.ts";
import { DNS_RCODES, type DnsMessage } from "../../../mod/signaling/dns/wire.ts";

const NS = [{ host: "127.0.0.1", port: 5300 }];

function reply(
  answers: DnsRecord[],
  rcode: number = DNS_RCODES.NOERROR,
  soaTtl?: number,
): DnsMessage {
  return {
    id: 1,
    response: true,
    rcode,
    questions: [],
    answers,
    additionals: [],
    authorities: soaTtl === undefined ? [] : [{
      type: "SOA",
      name: "test",
      ttl: soaTtl,
      mname: "ns.test",
      rname: "h.test",
      serial: 1,
      refresh: 1,
      retry: 1,
      expire: 1,
      minimum: soaTtl,
    }],
  };
}

/** A fake network query answering from a function of (name, type); counts calls. */
function fakeQuery(
  answer: (name: string, type: string) => DnsMessage | Promise<DnsMessage>,
): typeof queryNameServers & { calls: string[] } {
  const calls: string[] = [];
  const query = (name: string, type: string) => {
    calls.push(`${type} ${name}`);
    return Promise.resolve(answer(name, type));
  };
  return Object.assign(query, { calls }) as typeof queryNameServers & { calls: string[] };
}

function clock(): { now: () => number; advance(ms: number): void } {
  let time = 0;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

Deno.test("DnsLookup.lookup() caches an answer for its smallest TTL", async () => {
  const fake = clock();
  const query = fakeQuery(() =>
    reply([
      { type: "A", name: "h.test", ttl: 30, address: "192.0.2.1" },
      { type: "A", name: "h.test", ttl: 20, address: "192.0.2.2" },
    ])
  );
  const dns = new DnsLookup({ nameservers: NS, query, now: fake.now });
  assertEquals((await dns.lookup("h.test", "A")).length, 2);
  fake.advance(19_999);
  await dns.lookup("h.test", "A");
  assertEquals(query.calls.length, 1);
  fake.advance(1);
  await dns.lookup("h.test", "A");
  assertEquals(query.calls.length, 2);
  assertEquals(dns.queries, 2);
});

Deno.test("DnsLookup.lookup() follows a CNAME chain inside the answer", async () => {
  const query = fakeQuery(() =>
    reply([
      { type: "CNAME", name: "www.test", ttl: 50, target: "edge.test" },
      { type: "CNAME", name: "edge.test", ttl: 40, target: "host.test" },
      { type: "A", name: "host.test", ttl: 300, address: "192.0.2.7" },
      { type: "A", name: "unrelated.test", ttl: 300, address: "192.0.2.8" },
    ])
  );
  const fake = clock();
  const dns = new DnsLookup({ nameservers: NS, query, now: fake.now });
  const records = await dns.lookup("www.test", "A");
  assertEquals(records.map((r) => r.type === "A" && r.address), ["192.0.2.7"]);
  fake.advance(40_000); // the chain lives as long as its shortest link
  await dns.lookup("www.test", "A");
  assertEquals(query.calls.length, 2);
});

Deno.test("DnsLookup.lookup() asks again for a CNAME target the answer left out", async () => {
  const query = fakeQuery((name) =>
    name === "alias.test"
      ? reply([{ type: "CNAME", name: "alias.test", ttl: 60, target: "real.test" }])
      : reply([{ type: "AAAA", name: "real.test", ttl: 60, address: "2001:db8::2" }])
  );
  const dns = new DnsLookup({ nameservers: NS, query });
  const records = await dns.lookup("alias.test", "AAAA");
  assertEquals(records.map((r) => r.type === "AAAA" && r.address), ["2001:db8::2"]);
  assertEquals(query.calls, ["AAAA alias.test", "AAAA real.test"]);
});

Deno.test("DnsLookup.lookup() stops a CNAME loop with DnsResolutionError", async () => {
  const query = fakeQuery((name) =>
    reply([{ type: "CNAME", name, ttl: 60, target: name === "a.test" ? "b.test" : "a.test" }])
  );
  const dns = new DnsLookup({ nameservers: NS, query });
  await assertRejects(() => dns.lookup("a.test", "A"), DnsResolutionError, "CNAME hops");
  assertEquals(query.calls.length <= 10, true);
});

Deno.test("DnsLookup.lookup() caches NXDOMAIN and NODATA for the SOA minimum, capped", async () => {
  const fake = clock();
  const query = fakeQuery((name) =>
    name === "gone.test" ? reply([], DNS_RCODES.NXDOMAIN, 5) : reply([], DNS_RCODES.NOERROR, 3600)
  );
  const dns = new DnsLookup({ nameservers: NS, query, now: fake.now, negativeTtl: 10 });
  assertEquals(await dns.lookup("gone.test", "SRV"), []);
  assertEquals(await dns.lookup("empty.test", "SRV"), []);
  fake.advance(5_000);
  await dns.lookup("gone.test", "SRV"); // SOA said 5 s
  await dns.lookup("empty.test", "SRV"); // SOA said 3600 s, capped at 10
  assertEquals(query.calls, ["SRV gone.test", "SRV empty.test", "SRV gone.test"]);
  fake.advance(5_000);
  await dns.lookup("empty.test", "SRV");
  assertEquals(query.calls.length, 4);
});

Deno.test("DnsLookup.lookup() sends one query for concurrent callers", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const query = fakeQuery(async () => {
    await gate;
    return reply([{ type: "A", name: "h.test", ttl: 60, address: "192.0.2.1" }]);
  });
  const dns = new DnsLookup({ nameservers: NS, query });
  const all = Promise.all([1, 2, 3].map(() => dns.lookup("H.test", "A")));
  release();
  assertEquals((await all).map((r) => r.length), [1, 1, 1]);
  assertEquals(query.calls.length, 1);
});

Deno.test("DnsLookup.lookup() tries a nameserver that failed last for nameserverPenalty", async () => {
  const fake = clock();
  const first = { host: "127.0.0.1", port: 5301 };
  const second = { host: "127.0.0.1", port: 5302 };
  const orders: string[] = [];
  const query = ((name, _type, servers, options) => {
    orders.push(servers.map((s) => s.port).join(","));
    if (name === "bad.test") options?.onFailure?.(first);
    return Promise.resolve(reply([{ type: "A", name, ttl: 0, address: "192.0.2.1" }]));
  }) as typeof queryNameServers;
  const dns = new DnsLookup({
    nameservers: [first, second],
    query,
    now: fake.now,
    nameserverPenalty: 10,
  });
  await dns.lookup("bad.test", "A");
  await dns.lookup("h.test", "A");
  fake.advance(10_000);
  await dns.lookup("h.test", "A");
  assertEquals(orders, ["5301,5302", "5302,5301", "5301,5302"]);
});

Deno.test("DnsLookup.lookup() does not cache failures", async () => {
  let fail = true;
  const query = fakeQuery((name, type) => {
    if (fail) throw new DnsResolutionError(name, type, "no nameserver answered");
    return reply([{ type: "A", name, ttl: 60, address: "192.0.2.1" }]);
  });
  const dns = new DnsLookup({ nameservers: NS, query });
  await assertRejects(() => dns.lookup("h.test", "A"), DnsResolutionError);
  fail = false;
  assertEquals((await dns.lookup("h.test", "A")).length, 1);
});

Deno.test("DnsLookup.lookup() uses Deno.resolveDns without nameservers, with a fixed TTL", async () => {
  const fake = clock();
  const calls: string[] = [];
  const resolveDns = ((name: string, type: string, options?: Deno.ResolveDnsOptions) => {
    calls.push(`${type} ${name} ${options?.nameServer?.ipAddr ?? "system"}`);
    if (type === "SRV") {
      return Promise.resolve([{ priority: 1, weight: 2, port: 5060, target: "s.test." }]);
    }
    if (type === "NAPTR") return Promise.reject(new Deno.errors.NotFound("no records found"));
    return Promise.resolve(["192.0.2.1"]);
  }) as typeof Deno.resolveDns;
  const dns = new DnsLookup({ resolveDns, now: fake.now, systemTtl: 10, negativeTtl: 5 });
  assertEquals(await dns.lookup("_sip._udp.test", "SRV"), [
    {
      type: "SRV",
      name: "_sip._udp.test",
      ttl: 10,
      priority: 1,
      weight: 2,
      port: 5060,
      target: "s.test",
    },
  ]);
  assertEquals(await dns.lookup("test", "NAPTR"), []);
  fake.advance(5_000);
  await dns.lookup("_sip._udp.test", "SRV");
  await dns.lookup("test", "NAPTR");
  assertEquals(calls, ["SRV _sip._udp.test system", "NAPTR test system", "NAPTR test system"]);
});

Deno.test("DnsLookup.lookup() with useDenoResolver tries each nameserver in order", async () => {
  const calls: string[] = [];
  const resolveDns = ((_name: string, _type: string, options?: Deno.ResolveDnsOptions) => {
    const server = `${options?.nameServer?.ipAddr}:${options?.nameServer?.port}`;
    calls.push(server);
    if (server === "127.0.0.1:5301") return Promise.reject(new Error("request timed out"));
    return Promise.resolve(["192.0.2.1"]);
  }) as typeof Deno.resolveDns;
  const dns = new DnsLookup({
    nameservers: [{ host: "127.0.0.1", port: 5301 }, { host: "127.0.0.1", port: 5302 }],
    useDenoResolver: true,
    resolveDns,
  });
  assertEquals((await dns.lookup("h.test", "A")).length, 1);
  assertEquals(calls, ["127.0.0.1:5301", "127.0.0.1:5302"]);
  const failing = new DnsLookup({
    nameservers: [{ host: "127.0.0.1", port: 5301 }],
    useDenoResolver: true,
    resolveDns,
  });
  await assertRejects(
    () => failing.lookup("h.test", "A"),
    DnsResolutionError,
    "Cannot resolve h.test A: no nameserver answered: 127.0.0.1:5301 failed (request timed out)",
  );
});
