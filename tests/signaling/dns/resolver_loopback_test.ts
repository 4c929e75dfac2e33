// resolveTargets() + DnsLookup against the loopback DNS server of tests/interop/_dns_server.ts.
import { assertEquals } from "../../_assert.ts";
import { DnsLookup } from "../../../mod/signaling/dns/lookup.ts";
import { resolveTargets, type TargetUri } from "../../../mod/signaling/dns/resolver.ts";
import { type DnsServerRecords, startDnsServer } from "../../interop/_dns_server.ts";

function sipUri(host: string, scheme = "sip"): TargetUri {
  return { scheme, host, params: new Map() };
}

function zone(): DnsServerRecords {
  return {
    "example.test": {
      NAPTR: [
        {
          order: 10,
          preference: 10,
          flags: "S",
          services: "SIP+D2T",
          replacement: "_sip._tcp.example.test",
        },
        {
          order: 20,
          preference: 10,
          flags: "S",
          services: "SIP+D2U",
          replacement: "_sip._udp.example.test",
        },
      ],
    },
    "_sip._tcp.example.test": {
      SRV: [
        { priority: 20, weight: 10, port: 5080, target: "backup.example.test" },
        { priority: 10, weight: 10, port: 5070, target: "main.example.test" },
      ],
    },
    "_sip._udp.example.test": {
      SRV: [{ priority: 10, weight: 0, port: 5060, target: "main.example.test" }],
    },
    "main.example.test": { A: ["127.0.0.2"], ttl: 1 },
    "backup.example.test": { A: ["127.0.0.3"], AAAA: ["::1"] },
    "v6.test": { AAAA: ["::1", "fd00::5"] },
    "alias.test": { CNAME: "main.example.test" },
  };
}

function short(targets: { protocol: string; host: string; port: number }[]): string[] {
  return targets.map((t) => `${t.protocol} ${t.host}:${t.port}`);
}

Deno.test("resolveTargets() follows NAPTR -> SRV -> A over the wire, by priority", async () => {
  const server = await startDnsServer(zone());
  try {
    const dns = new DnsLookup({ nameservers: [{ host: "127.0.0.1", port: server.port }] });
    const targets = await resolveTargets(sipUri("example.test"), { lookup: dns });
    assertEquals(short(targets), [
      "tcp 127.0.0.2:5070",
      "tcp 127.0.0.3:5080",
      "tcp ::1:5080",
      "udp 127.0.0.2:5060",
    ]);
    const asked = server.log.map((q) => `${q.type} ${q.name}`);
    assertEquals(asked[0], "NAPTR example.test");
    // main.example.test is asked once (A) though two SRV sets name it: the cache answers.
    assertEquals(asked.filter((q) => q === "A main.example.test").length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("resolveTargets() fails over from a silent nameserver to the next one", async () => {
  const dead = await startDnsServer(zone(), { behaviour: "drop" });
  const alive = await startDnsServer(zone());
  try {
    const dns = new DnsLookup({
      nameservers: [{ host: "127.0.0.1", port: dead.port }, {
        host: "127.0.0.1",
        port: alive.port,
      }],
      timeout: 150,
    });
    const started = performance.now();
    const targets = await resolveTargets(sipUri("alias.test"), {
      lookup: dns,
      transports: ["udp"],
    });
    const elapsed = performance.now() - started;
    // alias.test: no NAPTR, no SRV, A through the CNAME. The first query timed out on the dead
    // nameserver; the later ones went to the live one first (penalty), so one timeout in all.
    assertEquals(short(targets), ["udp 127.0.0.2:5060"]);
    assertEquals(dead.queries, 1);
    assertEquals(alive.queries >= 4, true);
    assertEquals(elapsed >= 140 && elapsed < 2000, true, `took ${elapsed} ms`);
  } finally {
    await dead.close();
    await alive.close();
  }
});

Deno.test("resolveTargets() queries again once a TTL has expired", async () => {
  const records = zone();
  const server = await startDnsServer(records);
  let now = 0;
  try {
    const dns = new DnsLookup({
      nameservers: [{ host: "127.0.0.1", port: server.port }],
      now: () => now,
    });
    const uri = { scheme: "sip", host: "main.example.test", port: 5060, params: new Map() };
    assertEquals(short(await resolveTargets(uri, { lookup: dns })), ["udp 127.0.0.2:5060"]);
    const afterFirst = server.queries; // A + AAAA
    records["main.example.test"].A = ["127.0.0.4"];
    now += 900; // TTL is 1 s: still cached
    assertEquals(short(await resolveTargets(uri, { lookup: dns })), ["udp 127.0.0.2:5060"]);
    assertEquals(server.queries, afterFirst);
    now += 100; // expired: A asked again (the negative AAAA answer lives 5 s)
    assertEquals(short(await resolveTargets(uri, { lookup: dns })), ["udp 127.0.0.4:5060"]);
    assertEquals(server.queries, afterFirst + 1);
  } finally {
    await server.close();
  }
});

Deno.test("resolveTargets() returns IPv6 targets from AAAA records", async () => {
  const server = await startDnsServer(zone());
  try {
    const dns = new DnsLookup({ nameservers: [{ host: "127.0.0.1", port: server.port }] });
    assertEquals(short(await resolveTargets(sipUri("v6.test", "sips"), { lookup: dns })), [
      "tls ::1:5061",
      "tls fd00::5:5061",
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("DnsLookup.lookup() reads the loopback server through Deno.resolveDns too", async () => {
  const server = await startDnsServer(zone());
  try {
    const dns = new DnsLookup({
      nameservers: [{ host: "127.0.0.1", port: server.port }],
      useDenoResolver: true,
    });
    const targets = await resolveTargets(sipUri("example.test"), {
      lookup: dns,
      transports: ["udp"],
    });
    assertEquals(short(targets), ["udp 127.0.0.2:5060"]);
  } finally {
    await server.close();
  }
});
