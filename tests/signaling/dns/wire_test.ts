import { assertEquals, assertThrows } from "../../_assert.ts";
import {
  createDnsQuery,
  decodeDnsMessage,
  DNS_RCODES,
  type DnsMessage,
  encodeDnsMessage,
} from "../../../mod/signaling/dns/wire.ts";
import { DnsParseError } from "../../../mod/signaling/dns/errors.ts";

function bytes(...parts: (number[] | string)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "string") out.push(...new TextEncoder().encode(part));
    else out.push(...part);
  }
  return new Uint8Array(out);
}

Deno.test("encodeDnsMessage() writes a recursive A query byte for byte", () => {
  const encoded = encodeDnsMessage(createDnsQuery(0x1234, "example.com", "A"));
  const expected = bytes(
    [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0],
    [7],
    "example",
    [3],
    "com",
    [0, 0, 1, 0, 1],
  );
  assertEquals(Array.from(encoded), Array.from(expected));
});

Deno.test("encodeDnsMessage() treats a trailing dot as the root label", () => {
  assertEquals(
    Array.from(encodeDnsMessage(createDnsQuery(1, "a.b.", "NAPTR"))),
    Array.from(encodeDnsMessage(createDnsQuery(1, "a.b", "NAPTR"))),
  );
});

// A response to "_sip._udp.ex.com SRV" as a real server writes it: names compressed with
// pointers to offset 12 (the question) and into the previous record's target.
const SRV_RESPONSE = bytes(
  [0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 1],
  // question at offset 12: _sip._udp.ex.com SRV IN
  [4],
  "_sip",
  [4],
  "_udp",
  [2],
  "ex",
  [3],
  "com",
  [0, 0, 33, 0, 1],
  // answer 1 (offset 34): pointer to 12, SRV, IN, TTL 300, RDLENGTH 10: 10 60 5060 "a" + pointer to ex.com (22)
  [0xc0, 12, 0, 33, 0, 1, 0, 0, 0x01, 0x2c, 0, 10],
  [0, 10, 0, 60, 0x13, 0xc4, 1],
  "a",
  [0xc0, 22],
  // answer 2: pointer to 12, SRV, TTL 0x80000000 (treated as 0), RDLENGTH 8: 20 0 5080 pointer 22
  [0xc0, 12, 0, 33, 0, 1, 0x80, 0, 0, 0, 0, 8],
  [0, 20, 0, 0, 0x13, 0xd8, 0xc0, 22],
  // additional: a.ex.com A 192.0.2.7, name = pointer to the "a" label of answer 1 (offset 52)
  [0xc0, 52, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7],
);

Deno.test("decodeDnsMessage() follows compression pointers in names and SRV targets", () => {
  const message = decodeDnsMessage(SRV_RESPONSE);
  assertEquals(message.id, 0xabcd);
  assertEquals(message.response, true);
  assertEquals(message.recursionAvailable, true);
  assertEquals(message.rcode, DNS_RCODES.NOERROR);
  assertEquals(message.questions, [{ name: "_sip._udp.ex.com", type: "SRV" }]);
  assertEquals(message.answers, [
    {
      type: "SRV",
      name: "_sip._udp.ex.com",
      ttl: 300,
      priority: 10,
      weight: 60,
      port: 5060,
      target: "a.ex.com",
    },
    {
      type: "SRV",
      name: "_sip._udp.ex.com",
      ttl: 0,
      priority: 20,
      weight: 0,
      port: 5080,
      target: "ex.com",
    },
  ]);
  assertEquals(message.additionals, [
    { type: "A", name: "a.ex.com", ttl: 60, address: "192.0.2.7" },
  ]);
});

Deno.test("decodeDnsMessage() reads NAPTR character-strings and replacement", () => {
  const response = bytes(
    [0, 7, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0],
    [2],
    "ex",
    [3],
    "com",
    [0, 0, 35, 0, 1, 0, 0, 0x0e, 0x10, 0, 33],
    [0, 10, 0, 50, 1],
    "s",
    [7],
    "SIP+D2T",
    [0],
    [4],
    "_sip",
    [4],
    "_tcp",
    [2],
    "ex",
    [3],
    "com",
    [0],
  );
  const message = decodeDnsMessage(response);
  assertEquals(message.authoritative, true);
  assertEquals(message.answers, [{
    type: "NAPTR",
    name: "ex.com",
    ttl: 3600,
    order: 10,
    preference: 50,
    flags: "s",
    services: "SIP+D2T",
    regexp: "",
    replacement: "_sip._tcp.ex.com",
  }]);
});

Deno.test("decodeDnsMessage() formats AAAA addresses in RFC 5952 form and keeps NXDOMAIN", () => {
  const response = bytes(
    [0, 1, 0x81, 0x83, 0, 0, 0, 1, 0, 0, 0, 0],
    [1],
    "h",
    [0, 0, 28, 0, 1, 0, 0, 0, 30, 0, 16],
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  );
  const message = decodeDnsMessage(response);
  assertEquals(message.rcode, DNS_RCODES.NXDOMAIN);
  assertEquals(message.answers, [
    { type: "AAAA", name: "h", ttl: 30, address: "2001:db8::1" },
  ]);
});

Deno.test("decodeDnsMessage() keeps unknown record types as raw data", () => {
  const response = bytes([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0], [
    0,
    0,
    99,
    0,
    1,
    0,
    0,
    0,
    5,
    0,
    2,
    7,
    8,
  ]);
  const [record] = decodeDnsMessage(response).answers;
  assertEquals(record.type, "unknown");
  if (record.type === "unknown") {
    assertEquals(record.code, 99);
    assertEquals(Array.from(record.data), [7, 8]);
    assertEquals(record.name, "");
  }
});

Deno.test("decodeDnsMessage() round-trips every record type it encodes", () => {
  const message: DnsMessage = {
    id: 42,
    response: true,
    opcode: 0,
    authoritative: true,
    truncated: true,
    recursionDesired: true,
    recursionAvailable: false,
    rcode: DNS_RCODES.SERVFAIL,
    questions: [{ name: "ex.com", type: "NAPTR" }],
    answers: [
      { type: "A", name: "ex.com", ttl: 1, address: "10.1.2.3" },
      { type: "AAAA", name: "ex.com", ttl: 2, address: "fe80::1:2" },
      { type: "CNAME", name: "w.ex.com", ttl: 3, target: "ex.com" },
      {
        type: "SRV",
        name: "_sip._tcp.ex.com",
        ttl: 4,
        priority: 1,
        weight: 2,
        port: 3,
        target: "s.ex.com",
      },
      {
        type: "NAPTR",
        name: "ex.com",
        ttl: 5,
        order: 1,
        preference: 2,
        flags: "S",
        services: "SIPS+D2T",
        regexp: "!^.*$!sip:x@y!",
        replacement: "",
      },
    ],
    authorities: [{
      type: "SOA",
      name: "ex.com",
      ttl: 6,
      mname: "ns.ex.com",
      rname: "h.ex.com",
      serial: 4294967295,
      refresh: 1,
      retry: 2,
      expire: 3,
      minimum: 4,
    }],
    additionals: [{
      type: "unknown",
      name: "ex.com",
      ttl: 7,
      code: 16,
      data: new Uint8Array([1, 65]),
    }],
  };
  assertEquals(decodeDnsMessage(encodeDnsMessage(message)), message);
});

Deno.test("decodeDnsMessage() rejects malformed input with DnsParseError", () => {
  assertThrows(
    () => decodeDnsMessage(new Uint8Array(5)),
    DnsParseError,
    "Cannot parse DNS message: header needs 12 octets, got 5",
  );
  // A name pointer to itself.
  const loop = bytes([0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0], [0xc0, 12, 0, 1, 0, 1]);
  assertThrows(() => decodeDnsMessage(loop), DnsParseError, "points forward");
  // An A record with 3 octets of data.
  const shortA = bytes([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0], [
    0,
    0,
    1,
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    3,
    1,
    2,
    3,
  ]);
  assertThrows(() => decodeDnsMessage(shortA), DnsParseError, "Cannot parse A record");
  // RDLENGTH beyond the end.
  const cut = bytes([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1]);
  assertThrows(() => decodeDnsMessage(cut), DnsParseError, "record data is truncated");
  // SRV RDLENGTH larger than its content.
  const srvLong = bytes(
    [0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    [0, 0, 33, 0, 1, 0, 0, 0, 1, 0, 8, 0, 1, 0, 1, 0, 1, 0, 9],
  );
  assertThrows(() => decodeDnsMessage(srvLong), DnsParseError, "does not match its content");
});

Deno.test("encodeDnsMessage() rejects names and addresses it cannot write", () => {
  assertThrows(
    () => encodeDnsMessage(createDnsQuery(1, `${"x".repeat(64)}.com`, "A")),
    DnsParseError,
    "label longer than 63 octets",
  );
  assertThrows(
    () => encodeDnsMessage(createDnsQuery(1, "a..b", "A")),
    DnsParseError,
    "empty label",
  );
  assertThrows(
    () =>
      encodeDnsMessage({
        ...createDnsQuery(1, "a", "A"),
        answers: [{ type: "A", name: "a", ttl: 1, address: "300.1.1.1" }],
      }),
    DnsParseError,
    "Cannot encode A record: 300.1.1.1 is not an IPv4 address",
  );
});
