import { assert, assertEquals, assertNotEquals, assertThrows } from "../../_assert.ts";
import fc from "fast-check";
import { FLOW_TOKEN_MAC_BYTES, FlowTokenSigner } from "../../../mod/signaling/proxy/flow_token.ts";
import { Buffer } from "node:buffer";

Deno.test("FlowTokenSigner.sign() gives a token that verify() maps back to its payload", () => {
  const signer = new FlowTokenSigner({ secret: "s3cret" });
  const token = signer.sign({ flowId: "ws-17", instanceId: "gw1" });
  assert(/^[A-Za-z0-9_-]+$/.test(token), token);
  assertEquals(signer.verify(token), { flowId: "ws-17", instanceId: "gw1" });
});

Deno.test("FlowTokenSigner.verify() round-trips any flow id and instance id", () => {
  const signer = new FlowTokenSigner();
  fc.assert(
    fc.property(
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 20 }).filter((s) => !s.includes("\n")),
      (flowId, instanceId) => {
        assertEquals(signer.verify(signer.sign({ flowId, instanceId })), { flowId, instanceId });
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("FlowTokenSigner.verify() rejects a token signed with another key", () => {
  const ours = new FlowTokenSigner({ secret: "key-a" });
  const theirs = new FlowTokenSigner({ secret: "key-b" });
  assertEquals(ours.verify(theirs.sign({ flowId: "1", instanceId: "gw" })), undefined);
});

Deno.test("FlowTokenSigner() draws a random key when none is configured", () => {
  const a = new FlowTokenSigner();
  const b = new FlowTokenSigner();
  const token = a.sign({ flowId: "1", instanceId: "gw" });
  assertNotEquals(token, b.sign({ flowId: "1", instanceId: "gw" }));
  assertEquals(b.verify(token), undefined);
});

Deno.test("FlowTokenSigner.verify() rejects every single-byte tampering", () => {
  const signer = new FlowTokenSigner({ secret: new Uint8Array([1, 2, 3]) });
  const token = signer.sign({ flowId: "flow-42", instanceId: "i" });
  const bytes = new Uint8Array(Buffer.from(token, "base64url"));
  for (let i = 0; i < bytes.length; i++) {
    const forged = bytes.slice();
    forged[i] ^= 0x01;
    assertEquals(signer.verify(Buffer.from(forged).toString("base64url")), undefined, `byte ${i}`);
  }
});

Deno.test("FlowTokenSigner.verify() rejects a payload swapped under a valid mac", () => {
  const signer = new FlowTokenSigner({ secret: "k" });
  const good = new Uint8Array(
    Buffer.from(signer.sign({ flowId: "1", instanceId: "g" }), "base64url"),
  );
  const other = new TextEncoder().encode("g\n2");
  const forged = new Uint8Array(FLOW_TOKEN_MAC_BYTES + other.length);
  forged.set(good.subarray(0, FLOW_TOKEN_MAC_BYTES));
  forged.set(other, FLOW_TOKEN_MAC_BYTES);
  assertEquals(signer.verify(Buffer.from(forged).toString("base64url")), undefined);
});

Deno.test("FlowTokenSigner.verify() rejects malformed text", () => {
  const signer = new FlowTokenSigner({ secret: "k" });
  const token = signer.sign({ flowId: "1", instanceId: "g" });
  for (
    const bad of [
      "",
      "abc",
      "a+b/c=",
      token + "=",
      token + "!",
      token.slice(0, -2),
      "x".repeat(600),
    ]
  ) {
    assertEquals(signer.verify(bad), undefined, bad);
  }
});

Deno.test("FlowTokenSigner() refuses an empty secret and sign() an instance id with a line feed", () => {
  assertThrows(() => new FlowTokenSigner({ secret: "" }), RangeError);
  const signer = new FlowTokenSigner();
  assertThrows(() => signer.sign({ flowId: "1", instanceId: "a\nb" }), RangeError);
});
