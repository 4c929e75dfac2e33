import { assertEquals, assertRejects } from "../../_assert.ts";
import { resolveTargets, type TargetUri } from "../../../mod/signaling/dns/resolver.ts";
import { DnsResolutionError } from "../../../mod/signaling/dns/errors.ts";
import { parseUri } from "../../../mod/signaling/message/uri.ts";
import type {
  DnsLookupFunction,
  DnsQueryType,
  DnsRecord,
} from "../../../mod/signaling/dns/types.ts";

type Zone = Record<string, Partial<Record<DnsQueryType, DnsRecord[] | "fail">>>;

/** A lookup over a table; remembers what was asked, "fail" throws like a dead nameserver. */
function fakeLookup(zone: Zone): DnsLookupFunction & { asked: string[] } {
  const asked: string[] = [];
  const lookup = (name: string, type: DnsQueryType) => {
    asked.push(`${type} ${name}`);
    const records = zone[name]?.[type];
    if (records === "fail") {
      return Promise.reject(new DnsResolutionError(name, type, "no nameserver answered"));
    }
    return Promise.resolve(records ?? []);
  };
  return Object.assign(lookup, { asked });
}

function uri(text: string): TargetUri {
  // sip:host[:port][;params] with a bracketed IPv6 host allowed; enough for these tests.
  const match = /^(sips?):(\[[^\]]+\]|[^:;]+)(?::(\d+))?((?:;[^;]*)*)$/.exec(text);
  if (!match) throw new Error(`bad test URI ${text}`);
  const params = new Map<string, string | null>();
  for (const part of match[4].split(";").slice(1)) {
    const [key, value] = part.split("=");
    params.set(key, value ?? null);
  }
  return {
    scheme: match[1],
    host: match[2],
    port: match[3] ? Number(match[3]) : undefined,
    params,
  };
}

const a = (name: string, address: string): DnsRecord => ({ type: "A", name, ttl: 60, address });
const aaaa = (name: string, address: string): DnsRecord => ({
  type: "AAAA",
  name,
  ttl: 60,
  address,
});
const srv = (name: string, priority: number, port: number, target: string): DnsRecord => ({
  type: "SRV",
  name,
  ttl: 60,
  priority,
  weight: 0,
  port,
  target,
});
const naptr = (
  order: number,
  preference: number,
  services: string,
  replacement: string,
  flags = "s",
): DnsRecord => ({
  type: "NAPTR",
  name: "ex.test",
  ttl: 60,
  order,
  preference,
  flags,
  services,
  regexp: "",
  replacement,
});

function short(targets: { protocol: string; host: string; port: number }[]): string[] {
  return targets.map((t) => `${t.protocol} ${t.host}:${t.port}`);
}

Deno.test("resolveTargets() uses a numeric host as is, port 5060 or 5061", async () => {
  const lookup = fakeLookup({});
  assertEquals(short(await resolveTargets(uri("sip:192.0.2.1"), { lookup })), [
    "udp 192.0.2.1:5060",
  ]);
  assertEquals(short(await resolveTargets(uri("sips:192.0.2.1"), { lookup })), [
    "tls 192.0.2.1:5061",
  ]);
  assertEquals(
    short(await resolveTargets(uri("sip:[2001:db8::1]:5080;transport=tcp"), { lookup })),
    [
      "tcp 2001:db8::1:5080",
    ],
  );
  assertEquals(short(await resolveTargets(uri("sip:192.0.2.1;transport=tls"), { lookup })), [
    "tls 192.0.2.1:5061",
  ]);
  assertEquals(lookup.asked, []);
});

Deno.test("resolveTargets() asks only A/AAAA when the URI has a port", async () => {
  const lookup = fakeLookup({
    "ex.test": { A: [a("ex.test", "192.0.2.1")], AAAA: [aaaa("ex.test", "2001:db8::1")] },
  });
  const targets = await resolveTargets(uri("sip:ex.test:5070"), { lookup });
  assertEquals(short(targets), ["udp 192.0.2.1:5070", "udp 2001:db8::1:5070"]);
  assertEquals(targets[0].serverName, "ex.test");
  assertEquals(lookup.asked.sort(), ["A ex.test", "AAAA ex.test"]);
});

Deno.test("resolveTargets() lists AAAA first with preferIpv6", async () => {
  const lookup = fakeLookup({
    "ex.test": { A: [a("ex.test", "192.0.2.1")], AAAA: [aaaa("ex.test", "2001:db8::1")] },
  });
  const targets = await resolveTargets(uri("sip:ex.test:5070"), { lookup, preferIpv6: true });
  assertEquals(short(targets), ["udp 2001:db8::1:5070", "udp 192.0.2.1:5070"]);
});

Deno.test("resolveTargets() queries the SRV of the transport parameter only", async () => {
  const lookup = fakeLookup({
    "_sip._tcp.ex.test": { SRV: [srv("_sip._tcp.ex.test", 10, 5090, "s.ex.test")] },
    "s.ex.test": { A: [a("s.ex.test", "192.0.2.9")] },
  });
  const targets = await resolveTargets(uri("sip:ex.test;transport=TCP"), { lookup });
  assertEquals(short(targets), ["tcp 192.0.2.9:5090"]);
  assertEquals(lookup.asked.includes("NAPTR ex.test"), false);
  assertEquals(lookup.asked[0], "SRV _sip._tcp.ex.test");
});

Deno.test("resolveTargets() falls back to A/AAAA on the transport's port when its SRV is missing", async () => {
  const lookup = fakeLookup({ "ex.test": { A: [a("ex.test", "192.0.2.1")] } });
  assertEquals(short(await resolveTargets(uri("sip:ex.test;transport=tcp"), { lookup })), [
    "tcp 192.0.2.1:5060",
  ]);
  assertEquals(short(await resolveTargets(uri("sips:ex.test;transport=tcp"), { lookup })), [
    "tls 192.0.2.1:5061",
  ]);
  assertEquals(lookup.asked.includes("SRV _sips._tcp.ex.test"), true);
});

Deno.test("resolveTargets() follows NAPTR by order then preference, then SRV priority", async () => {
  const lookup = fakeLookup({
    "ex.test": {
      NAPTR: [
        naptr(20, 10, "SIP+D2U", "_sip._udp.ex.test"),
        naptr(10, 20, "SIP+D2T", "_sip._tcp.ex.test"),
        naptr(10, 10, "SIPS+D2T", "_sips._tcp.ex.test"),
      ],
    },
    "_sips._tcp.ex.test": {
      SRV: [
        srv("_sips._tcp.ex.test", 20, 5061, "backup.ex.test"),
        srv("_sips._tcp.ex.test", 10, 5061, "main.ex.test"),
      ],
    },
    "_sip._tcp.ex.test": { SRV: [srv("_sip._tcp.ex.test", 10, 5060, "main.ex.test")] },
    "_sip._udp.ex.test": { SRV: [srv("_sip._udp.ex.test", 10, 5060, "main.ex.test")] },
    "main.ex.test": { A: [a("main.ex.test", "192.0.2.1")] },
    "backup.ex.test": { A: [a("backup.ex.test", "192.0.2.2")] },
  });
  const targets = await resolveTargets(uri("sip:ex.test"), { lookup });
  assertEquals(short(targets), [
    "tls 192.0.2.1:5061",
    "tls 192.0.2.2:5061",
    "tcp 192.0.2.1:5060",
    "udp 192.0.2.1:5060",
  ]);
  assertEquals(lookup.asked.some((q) => q.startsWith("SRV _sip._udp.ex.test")), true);
});

Deno.test("resolveTargets() skips NAPTR services the SIP side lacks and non-'s' flags", async () => {
  const lookup = fakeLookup({
    "ex.test": {
      NAPTR: [
        naptr(10, 10, "SIPS+D2T", "_sips._tcp.ex.test"),
        naptr(10, 20, "SIP+D2U", "_sip._udp.ex.test", "a"),
        naptr(10, 30, "SIP+D2S", "_sip._sctp.ex.test"),
        naptr(20, 10, "SIP+D2T", "_sip._tcp.ex.test"),
      ],
    },
    "_sip._tcp.ex.test": { SRV: [srv("_sip._tcp.ex.test", 10, 5060, "main.ex.test")] },
    "main.ex.test": { A: [a("main.ex.test", "192.0.2.1")] },
  });
  const targets = await resolveTargets(uri("sip:ex.test"), { lookup, transports: ["udp", "tcp"] });
  assertEquals(short(targets), ["tcp 192.0.2.1:5060"]);
  assertEquals(lookup.asked.includes("SRV _sips._tcp.ex.test"), false);
  assertEquals(lookup.asked.includes("SRV _sip._udp.ex.test"), false);
});

Deno.test("resolveTargets() keeps only SIPS+D2T NAPTR records for a sips URI", async () => {
  const lookup = fakeLookup({
    "ex.test": {
      NAPTR: [
        naptr(10, 10, "SIP+D2U", "_sip._udp.ex.test"),
        naptr(20, 10, "SIPS+D2T", "_sips._tcp.ex.test"),
      ],
    },
    "_sip._udp.ex.test": { SRV: [srv("_sip._udp.ex.test", 10, 5060, "main.ex.test")] },
    "_sips._tcp.ex.test": { SRV: [srv("_sips._tcp.ex.test", 10, 5061, "main.ex.test")] },
    "main.ex.test": { A: [a("main.ex.test", "192.0.2.1")] },
  });
  assertEquals(short(await resolveTargets(uri("sips:ex.test"), { lookup })), [
    "tls 192.0.2.1:5061",
  ]);
});

Deno.test("resolveTargets() without NAPTR asks SRV for udp then tcp (sip), sips for sips", async () => {
  const zone: Zone = {
    "_sip._udp.ex.test": { SRV: [srv("_sip._udp.ex.test", 10, 5060, "u.ex.test")] },
    "_sip._tcp.ex.test": { SRV: [srv("_sip._tcp.ex.test", 10, 5062, "t.ex.test")] },
    "_sips._tcp.ex.test": { SRV: [srv("_sips._tcp.ex.test", 10, 5063, "t.ex.test")] },
    "u.ex.test": { A: [a("u.ex.test", "192.0.2.1")] },
    "t.ex.test": { A: [a("t.ex.test", "192.0.2.2")] },
  };
  assertEquals(short(await resolveTargets(uri("sip:ex.test"), { lookup: fakeLookup(zone) })), [
    "udp 192.0.2.1:5060",
    "tcp 192.0.2.2:5062",
  ]);
  assertEquals(
    short(
      await resolveTargets(uri("sip:ex.test"), { lookup: fakeLookup(zone), transports: ["tcp"] }),
    ),
    ["tcp 192.0.2.2:5062"],
  );
  assertEquals(short(await resolveTargets(uri("sips:ex.test"), { lookup: fakeLookup(zone) })), [
    "tls 192.0.2.2:5063",
  ]);
});

Deno.test("resolveTargets() without NAPTR or SRV uses A/AAAA with udp:5060 or tls:5061", async () => {
  const zone: Zone = { "ex.test": { AAAA: [aaaa("ex.test", "2001:db8::5")] } };
  assertEquals(short(await resolveTargets(uri("sip:ex.test"), { lookup: fakeLookup(zone) })), [
    "udp 2001:db8::5:5060",
  ]);
  assertEquals(short(await resolveTargets(uri("sips:ex.test"), { lookup: fakeLookup(zone) })), [
    "tls 2001:db8::5:5061",
  ]);
  assertEquals(
    short(
      await resolveTargets(uri("sip:ex.test"), { lookup: fakeLookup(zone), transports: ["tcp"] }),
    ),
    ["tcp 2001:db8::5:5060"],
  );
});

Deno.test("resolveTargets() uses maddr instead of the host", async () => {
  const lookup = fakeLookup({});
  const targets = await resolveTargets(uri("sip:ex.test;maddr=192.0.2.44"), { lookup });
  assertEquals(short(targets), ["udp 192.0.2.44:5060"]);
  assertEquals(targets[0].serverName, "ex.test");
});

Deno.test("resolveTargets() keeps the targets that resolve when another SRV target fails", async () => {
  const lookup = fakeLookup({
    "_sip._udp.ex.test": {
      SRV: [
        srv("_sip._udp.ex.test", 10, 5060, "dead.ex.test"),
        srv("_sip._udp.ex.test", 20, 5060, "ok.ex.test"),
      ],
    },
    "dead.ex.test": { A: "fail", AAAA: "fail" },
    "ok.ex.test": { A: [a("ok.ex.test", "192.0.2.3")], AAAA: "fail" },
  });
  assertEquals(short(await resolveTargets(uri("sip:ex.test"), { lookup, transports: ["udp"] })), [
    "udp 192.0.2.3:5060",
  ]);
});

Deno.test("resolveTargets() removes duplicate targets", async () => {
  const lookup = fakeLookup({
    "_sip._udp.ex.test": {
      SRV: [
        srv("_sip._udp.ex.test", 10, 5060, "x.ex.test"),
        srv("_sip._udp.ex.test", 20, 5060, "y.ex.test"),
      ],
    },
    "x.ex.test": { A: [a("x.ex.test", "192.0.2.3")] },
    "y.ex.test": { A: [a("y.ex.test", "192.0.2.3")] },
  });
  assertEquals(short(await resolveTargets(uri("sip:ex.test"), { lookup })), [
    "udp 192.0.2.3:5060",
  ]);
});

Deno.test("resolveTargets() throws DnsResolutionError when nothing resolves", async () => {
  const error = await assertRejects(
    () => resolveTargets(uri("sip:nowhere.test"), { lookup: fakeLookup({}) }),
    DnsResolutionError,
    "Cannot resolve nowhere.test targets: no NAPTR, no SRV and no A or AAAA records",
  );
  assertEquals(error.domain, "nowhere.test");
});

Deno.test("resolveTargets() passes on a failing NAPTR query", async () => {
  await assertRejects(
    () =>
      resolveTargets(uri("sip:ex.test"), { lookup: fakeLookup({ "ex.test": { NAPTR: "fail" } }) }),
    DnsResolutionError,
    "Cannot resolve ex.test NAPTR: no nameserver answered",
  );
});

Deno.test("resolveTargets() rejects transports the SIP side does not have", async () => {
  const lookup = fakeLookup({});
  await assertRejects(
    () => resolveTargets(uri("sip:192.0.2.1;transport=tls"), { lookup, transports: ["udp"] }),
    DnsResolutionError,
    "transport=tls needs tls, which the SIP side does not have",
  );
  await assertRejects(
    () => resolveTargets(uri("sips:ex.test;transport=udp"), { lookup }),
    DnsResolutionError,
    "transport=udp cannot be used for a sips URI",
  );
  await assertRejects(
    () => resolveTargets(uri("sip:ex.test;transport=ws"), { lookup }),
    DnsResolutionError,
    "transport=ws cannot be used",
  );
  await assertRejects(
    () => resolveTargets(uri("sips:ex.test"), { lookup, transports: ["udp", "tcp"] }),
    DnsResolutionError,
    "no transport for a sips URI (the SIP side has udp, tcp)",
  );
  assertEquals(lookup.asked, []);
});

Deno.test("resolveTargets() takes a SipUri from parseUri() and refuses other schemes", async () => {
  const lookup = fakeLookup({});
  const targets = await resolveTargets(parseUri("sip:bob@[::1]:5070;transport=TCP;lr"), { lookup });
  assertEquals(short(targets), ["tcp ::1:5070"]);
  await assertRejects(
    () => resolveTargets(parseUri("tel:+15551234"), { lookup }),
    DnsResolutionError,
    "a tel URI has no SIP server to locate",
  );
});
