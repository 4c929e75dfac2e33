import { assertEquals } from "../../_assert.ts";
import {
  getAuths,
  getCallId,
  getContacts,
  getContentLength,
  getContentType,
  getCSeq,
  getFrom,
  getMaxForwards,
  getOptionTags,
  getPaths,
  getRecordRoutes,
  getRoutes,
  getTo,
  getVias,
  parseMessage,
} from "../../../mod/signaling/message/mod.ts";

const FIXTURE = new URL("../../fixtures/register_webrtc.sip", import.meta.url);
const INVITE = new URL("../../fixtures/invite_webrtc.sip", import.meta.url);

Deno.test("getVias() and friends read the WebRTC REGISTER fixture", () => {
  const m = parseMessage(Deno.readFileSync(FIXTURE));
  const h = m.headers;
  assertEquals(getVias(h)[0].transport, "WSS");
  assertEquals(getVias(h)[0].host, "6bh0dkq1u2v7.invalid");
  assertEquals(getFrom(h)?.displayName, "Alice");
  assertEquals(getTo(h)?.uri.user, "alice");
  assertEquals(getCSeq(h), { seq: 2, method: "REGISTER" });
  assertEquals(getCallId(h), "hq7hm1h0qk5mcd4sb5pt9c");
  assertEquals(getMaxForwards(h), 69);
  assertEquals(getContentLength(h), 0);
  const c = getContacts(h)[0];
  assertEquals(
    c === "*" ? "" : c.params.get("+sip.instance"),
    '"<urn:uuid:0c3e6f7a-2b1d-4e5f-8a9b-1c2d3e4f5a6b>"',
  );
  assertEquals(c === "*" ? "" : c.params.get("reg-id"), "1");
  assertEquals(getOptionTags(h, "supported"), ["path", "gruu", "outbound"]);
  const auth = getAuths(h, "authorization")[0];
  assertEquals(auth.params.get("username"), "alice");
  assertEquals(auth.params.get("nc"), "00000001");
});

Deno.test("getContentType() and route views read the INVITE fixture", () => {
  const m = parseMessage(Deno.readFileSync(INVITE));
  const h = m.headers;
  assertEquals(getContentType(h)?.subtype, "sdp");
  assertEquals(getContentLength(h), m.body.length);
  const contact = getContacts(h)[0];
  assertEquals(contact === "*" ? false : contact.uri.params.has("ob"), true);
  assertEquals(getRoutes(h), []);
  h.append("Record-Route", "<sip:gw1.example.net;lr>, <sip:gw2.example.net;lr>");
  h.append("Path", "<sip:gw1.example.net;lr;ob>");
  assertEquals(getRecordRoutes(h).map((r) => r.uri.host), ["gw1.example.net", "gw2.example.net"]);
  assertEquals(getPaths(h)[0].uri.params.has("ob"), true);
});
