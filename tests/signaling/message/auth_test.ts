import { assertEquals } from "../../_assert.ts";
import { formatAuth, parseAuth } from "../../../mod/signaling/message/mod.ts";

Deno.test("parseAuth() reads Digest params, unquoting values", () => {
  const a = parseAuth(
    'Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com",' +
      ' response="0123", algorithm=MD5, qop=auth, nc=00000001, cnonce="x\\"y"',
  );
  assertEquals(a.scheme, "Digest");
  assertEquals(a.params.get("username"), "alice");
  assertEquals(a.params.get("algorithm"), "MD5");
  assertEquals(a.params.get("cnonce"), 'x"y');
  assertEquals(a.opaque, undefined);
});

Deno.test("parseAuth() keeps unknown schemes opaque", () => {
  const a = parseAuth("NoOneKnowsThisScheme opaque-data=here");
  assertEquals(a.scheme, "NoOneKnowsThisScheme");
  assertEquals(a.opaque, "opaque-data=here");
  assertEquals(a.params.size, 0);
  assertEquals(formatAuth(a), "NoOneKnowsThisScheme opaque-data=here");
});

Deno.test("parseAuth() keeps a malformed Digest opaque", () => {
  const a = parseAuth('Digest realm="unterminated');
  assertEquals(a.opaque, 'realm="unterminated');
});

Deno.test("formatAuth() quotes the values that were quoted", () => {
  const a = parseAuth('Digest realm="x", nonce="n", algorithm=MD5, qop="auth"');
  assertEquals(formatAuth(a), 'Digest realm="x", nonce="n", algorithm=MD5, qop="auth"');
});
