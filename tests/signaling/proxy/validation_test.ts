import { assertEquals } from "../../_assert.ts";
import { LocalAddresses } from "../../../mod/signaling/proxy/local_addresses.ts";
import { validateRequest } from "../../../mod/signaling/proxy/validation.ts";
import { addOwnVia, loopKey, newBranch } from "../../../mod/signaling/proxy/own_via.ts";
import { browserInvite } from "./_messages.ts";

const local = new LocalAddresses([{ protocol: "udp", local: { host: "192.0.2.1", port: 5060 } }]);

Deno.test("validateRequest() accepts an ordinary request", () => {
  assertEquals(validateRequest(browserInvite(), local), undefined);
});

Deno.test("validateRequest() answers 483 at Max-Forwards 0 except for OPTIONS, 400 when unreadable", () => {
  const req = browserInvite();
  req.headers.set("Max-Forwards", "0");
  assertEquals(validateRequest(req, local)?.status, 483);
  req.method = "OPTIONS";
  assertEquals(validateRequest(req, local), undefined);
  req.headers.set("Max-Forwards", "lots");
  assertEquals(validateRequest(req, local)?.status, 400);
});

Deno.test("validateRequest() answers 416 to schemes it cannot route", () => {
  const req = browserInvite({ uri: "im:bob@example.com" });
  assertEquals(validateRequest(req, local)?.status, 416);
  const tel = browserInvite({ uri: "tel:+15551234" });
  assertEquals(validateRequest(tel, local)?.status, 416);
  const telRouted = browserInvite({ uri: "tel:+15551234", route: "<sip:pbx.example.org;lr>" });
  assertEquals(validateRequest(telRouted, local), undefined);
});

Deno.test("validateRequest() answers 482 to a loop and 420 with Unsupported to Proxy-Require", () => {
  const looped = browserInvite();
  addOwnVia(looped, "udp", { host: "192.0.2.1", port: 5060 }, newBranch(loopKey(looped)));
  assertEquals(validateRequest(looped, local)?.status, 482);
  const ext = browserInvite();
  ext.headers.set("Proxy-Require", "sec-agree");
  assertEquals(validateRequest(ext, local), {
    status: 420,
    reason: "Bad Extension",
    headers: [["Unsupported", "sec-agree"]],
  });
});
