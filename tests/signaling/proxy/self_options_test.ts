import { assert, assertEquals } from "../../_assert.ts";
import { LocalAddresses } from "../../../mod/signaling/proxy/local_addresses.ts";
import {
  answerOptions,
  isOptionsForGateway,
  PROXIED_METHODS,
} from "../../../mod/signaling/proxy/self_options.ts";
import { request } from "./_messages.ts";

const local = new LocalAddresses([{ protocol: "udp", local: { host: "192.0.2.1", port: 5060 } }]);

function options(uri: string, extra: string[] = []) {
  return request([
    `OPTIONS ${uri} SIP/2.0`,
    "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKo",
    "From: <sip:k@example.com>;tag=k",
    "To: <sip:k@example.com>",
    "Call-ID: o",
    "CSeq: 1 OPTIONS",
    "Max-Forwards: 70",
    ...extra,
  ]);
}

Deno.test("isOptionsForGateway() is true for our address without a user part", () => {
  assert(isOptionsForGateway(options("sip:192.0.2.1"), local));
  assert(isOptionsForGateway(options("sip:192.0.2.1:5060;transport=udp"), local));
  assertEquals(isOptionsForGateway(options("sip:bob@192.0.2.1"), local), false);
  assertEquals(isOptionsForGateway(options("sip:192.0.2.1;ws-src-ip=1.2.3.4"), local), false);
  assertEquals(isOptionsForGateway(options("sip:10.0.0.9"), local), false);
  assertEquals(isOptionsForGateway(options("sip:192.0.2.1", ["Route: <sip:x;lr>"]), local), false);
});

Deno.test("isOptionsForGateway() is true for any OPTIONS at Max-Forwards 0", () => {
  const req = options("sip:bob@10.0.0.9");
  req.headers.set("Max-Forwards", "0");
  assert(isOptionsForGateway(req, local));
});

Deno.test("answerOptions() lists the relayed methods, SDP and our option tags", () => {
  const res = answerOptions(options("sip:192.0.2.1"));
  assertEquals(res.status, 200);
  assertEquals(res.headers.getAll("Allow"), [...PROXIED_METHODS]);
  assertEquals(res.headers.get("Accept"), "application/sdp");
  assertEquals(res.headers.getAll("Supported"), ["path", "outbound"]);
  assert(res.headers.get("To")!.includes("tag="));
});
