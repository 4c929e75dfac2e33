import { assertEquals, assertThrows } from "../../_assert.ts";
import { formatVia, parseVia, SipParseError } from "../../../mod/signaling/message/mod.ts";

Deno.test("parseVia() reads protocol, transport, sent-by and params", () => {
  const v = parseVia("SIP/2.0/wss df7jal23ls0d.invalid;branch=z9hG4bK776;rport;received=1.2.3.4");
  assertEquals(v.protocol, "SIP/2.0");
  assertEquals(v.transport, "WSS");
  assertEquals(v.host, "df7jal23ls0d.invalid");
  assertEquals(v.port, undefined);
  assertEquals(v.params.get("branch"), "z9hG4bK776");
  assertEquals(v.params.get("rport"), null);
  assertEquals(v.params.get("received"), "1.2.3.4");
});

Deno.test("parseVia() accepts LWS around '/', ';', '=' and ':'", () => {
  const v = parseVia(
    "SIP  /   2.0  / TCP     spindle.example.com : 5061  ;   branch  =   z9hG4bK9",
  );
  assertEquals(v.transport, "TCP");
  assertEquals(v.host, "spindle.example.com");
  assertEquals(v.port, 5061);
  assertEquals(v.params.get("branch"), "z9hG4bK9");
});

Deno.test("parseVia() reads IPv6 sent-by", () => {
  const v = parseVia("SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bKx");
  assertEquals(v.host, "[2001:db8::9]");
  assertEquals(v.port, 5060);
});

Deno.test("parseVia() rejects extra separators and missing parts", () => {
  for (
    const bad of [
      "SIP/2.0/UDP 192.0.2.15;;",
      ";",
      "",
      "SIP/2.0 host",
      "SIP/2.0/UDP",
      "SIP/2.0/UDP host:70000",
      "SIP/2.0/UDP host;branch=",
      "SIP/2.0/UDP host garbage",
    ]
  ) {
    assertThrows(() => parseVia(bad), SipParseError, "Cannot parse Via header");
  }
});

Deno.test("formatVia() writes a canonical Via", () => {
  const v = parseVia("SIP / 2.0 / udp host.example.com:5060 ; branch=z9hG4bK1 ; rport");
  assertEquals(formatVia(v), "SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK1;rport");
  assertEquals(parseVia(formatVia(v)), v);
});
