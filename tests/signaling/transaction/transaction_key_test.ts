import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import {
  clientTransactionKey,
  isRfc3261Branch,
  serverTransactionKey,
  TransactionKeyError,
} from "../../../mod/signaling/transaction/transaction_key.ts";
import { request, response } from "./_sip.ts";

Deno.test("clientTransactionKey() matches a response to its request by branch and CSeq method", () => {
  assertEquals(clientTransactionKey(request()), clientTransactionKey(response(180)));
  assert(
    clientTransactionKey(request()) !== clientTransactionKey(response(200, { method: "CANCEL" })),
  );
  assert(
    clientTransactionKey(request()) !==
      clientTransactionKey(response(200, { branch: "z9hG4bK-2" })),
  );
});

Deno.test("clientTransactionKey() needs a branch, a Via and a CSeq", () => {
  assertThrows(() => clientTransactionKey(request({ branch: "" })), TransactionKeyError, "branch");
  const noVia = request();
  noVia.headers.delete("via");
  assertThrows(() => clientTransactionKey(noVia), TransactionKeyError, "Via is missing");
  const noCSeq = request();
  noCSeq.headers.delete("cseq");
  assertThrows(() => clientTransactionKey(noCSeq), TransactionKeyError, "CSeq is missing");
});

Deno.test("serverTransactionKey() uses branch, sent-by and method, ACK as INVITE", () => {
  const invite = serverTransactionKey(request());
  assertEquals(serverTransactionKey(request({ method: "ACK" })), invite);
  assertEquals(serverTransactionKey(request({ sentBy: "192.0.2.1:5060", cseq: 2 })), invite);
  assert(serverTransactionKey(request({ method: "CANCEL" })) !== invite);
  assertEquals(serverTransactionKey(request({ method: "CANCEL" }), { method: "INVITE" }), invite);
  assert(serverTransactionKey(request({ sentBy: "192.0.2.2:5060" })) !== invite);
  assert(serverTransactionKey(request({ sentBy: "192.0.2.1" })) !== invite);
  assert(serverTransactionKey(request({ branch: "z9hG4bK-2" })) !== invite);
});

Deno.test("serverTransactionKey() falls back to RFC 2543 matching without the magic cookie", () => {
  const base = { branch: "old-1" };
  const invite = serverTransactionKey(request(base));
  assertEquals(serverTransactionKey(request({ ...base })), invite);
  // Branch is not a key any more: Request-URI, tags, Call-ID, CSeq number and top Via are.
  assert(serverTransactionKey(request({ ...base, uri: "sip:carol@example.com" })) !== invite);
  assert(serverTransactionKey(request({ ...base, fromTag: "a2" })) !== invite);
  assert(serverTransactionKey(request({ ...base, toTag: "t1" })) !== invite);
  assert(serverTransactionKey(request({ ...base, callId: "other" })) !== invite);
  assert(serverTransactionKey(request({ ...base, cseq: 2 })) !== invite);
  assert(serverTransactionKey(request({ ...base, sentBy: "192.0.2.3" })) !== invite);
  assert(serverTransactionKey(request({ branch: "" })) !== invite);
  // ACK with the response's To tag finds the INVITE when looked up without a tag.
  const ack = request({ ...base, method: "ACK", toTag: "t1" });
  assert(serverTransactionKey(ack) !== invite);
  assertEquals(serverTransactionKey(ack, { toTag: "" }), invite);
});

Deno.test("isRfc3261Branch() requires the magic cookie and more", () => {
  assertEquals(
    ["z9hG4bK", "z9hG4bKx", "Z9HG4BKx", "abc", undefined].map(isRfc3261Branch),
    [false, true, false, false, false],
  );
});
