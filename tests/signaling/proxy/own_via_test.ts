import { assert, assertEquals, assertMatch, assertNotEquals } from "../../_assert.ts";
import { parseVia } from "../../../mod/signaling/message/mod.ts";
import { LocalAddresses } from "../../../mod/signaling/proxy/local_addresses.ts";
import {
  addOwnVia,
  isLoop,
  isOwnVia,
  loopKey,
  newBranch,
  OWN_BRANCH_PREFIX,
  popOwnVia,
} from "../../../mod/signaling/proxy/own_via.ts";
import { browserInvite, response } from "./_messages.ts";

const local = new LocalAddresses([{ protocol: "udp", local: { host: "192.0.2.1", port: 5060 } }]);

Deno.test("addOwnVia() pushes a Via with our sent-by, rport and branch", () => {
  const req = browserInvite();
  const branch = newBranch(loopKey(req));
  addOwnVia(req, "udp", { host: "192.0.2.1", port: 5060 }, branch);
  const via = parseVia(req.headers.get("Via")!);
  assertEquals([via.transport, via.host, via.port], ["UDP", "192.0.2.1", 5060]);
  assertEquals(via.params.get("branch"), branch);
  assertEquals(via.params.get("rport"), null);
  assertEquals(req.headers.count("Via"), 2);
  assert(isOwnVia(req.headers.get("Via")!, local));
});

Deno.test("newBranch() is unique, starts with the magic cookie and carries the loop key", () => {
  const a = newBranch("KEY");
  assertMatch(a, /^z9hG4bKw2s[A-Za-z0-9_-]{12}\.KEY$/);
  assertNotEquals(a, newBranch("KEY"));
  assert(a.startsWith(OWN_BRANCH_PREFIX));
});

Deno.test("newBranch() cannot be predicted from the branches before it", () => {
  // a boot prefix + counter would share its first characters between consecutive branches
  const random = (branch: string) => branch.slice(OWN_BRANCH_PREFIX.length, -".K".length);
  let previous = random(newBranch("K"));
  for (let i = 0; i < 100; i++) {
    const next = random(newBranch("K"));
    assertEquals(next.length, 12);
    assertNotEquals(next.slice(0, 6), previous.slice(0, 6));
    assertNotEquals(next.slice(6), previous.slice(6));
    previous = next;
  }
});

Deno.test("isLoop() finds our Via with the same loop key and lets a spiral pass", () => {
  const req = browserInvite();
  addOwnVia(req, "udp", { host: "192.0.2.1", port: 5060 }, newBranch(loopKey(req)));
  assert(isLoop(req, local));
  const spiral = browserInvite();
  addOwnVia(spiral, "udp", { host: "192.0.2.1", port: 5060 }, newBranch(loopKey(spiral)));
  spiral.uri = "sip:bob@10.0.0.7";
  assertEquals(isLoop(spiral, local), false);
  const elsewhere = browserInvite();
  addOwnVia(elsewhere, "udp", { host: "198.51.100.1", port: 5060 }, newBranch(loopKey(elsewhere)));
  assertEquals(isLoop(elsewhere, local), false);
});

Deno.test("popOwnVia() removes our Via only", () => {
  const ours = response([
    "SIP/2.0 180 Ringing",
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKw2sAAAAAAAAAAAA.k;rport=5060",
    "Via: SIP/2.0/TCP 127.0.0.1:4000;branch=z9hG4bKinv1;ws-hacked=WS",
    "From: <sip:a@x>;tag=1",
    "To: <sip:b@y>;tag=2",
    "Call-ID: c",
    "CSeq: 1 INVITE",
  ]);
  assert(popOwnVia(ours, local));
  assertEquals(ours.headers.count("Via"), 1);
  assertEquals(popOwnVia(ours, local), false);
  assertEquals(ours.headers.count("Via"), 1);
});
