/**
 * RFC 4475 torture tests: one step per file of the corpus, expectations read from
 * expectations.tsv at test time. Valid messages must parse AND give the right values;
 * invalid ones must be rejected with the status the expectation names.
 */
import { assert, assertEquals, assertNotEquals } from "../../_assert.ts";
import {
  getContacts,
  getCSeq,
  getFrom,
  getMaxForwards,
  getTo,
  getVias,
  type NameAddr,
  parseAuth,
  parseMessage,
  parseUri,
  SipMessage,
  SipParseError,
  SipRequest,
  SipResponse,
} from "../../../mod/signaling/message/mod.ts";
import { RFC4475_CORPUS } from "../../fixtures/rfc4475.ts";

const CORPUS = RFC4475_CORPUS;

function corpusPresent(): boolean {
  try {
    return Deno.statSync(new URL("expectations.tsv", CORPUS)).isFile;
  } catch {
    return false;
  }
}

function req(m: SipMessage): SipRequest {
  assert(m instanceof SipRequest, "expected a request");
  return m;
}

function res(m: SipMessage): SipResponse {
  assert(m instanceof SipResponse, "expected a response");
  return m;
}

function na(v: NameAddr | "*" | undefined): NameAddr {
  assert(v !== undefined && v !== "*", "expected an address");
  return v;
}

const text = new TextDecoder();

/** Value checks for messages that must parse. */
const VALID: Record<string, (m: SipMessage, bytes: Uint8Array) => void> = {
  "wsinv.dat": (m) => {
    const r = req(m);
    assertEquals(r.method, "INVITE");
    assertEquals(getMaxForwards(r.headers), 68);
    assertEquals(getCSeq(r.headers), { seq: 9, method: "INVITE" });
    assertEquals(r.headers.get("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
    assertEquals(r.headers.get("NewFangledHeader"), "newfangled value continued newfangled value");
    assertEquals(r.headers.get("subject"), "");
    assertEquals(getTo(r.headers)?.params.get("tag"), "1918181833n");
    assertEquals(getFrom(r.headers)?.displayName, 'J Rosenberg \\"');
    assertEquals(getFrom(r.headers)?.params.get("tag"), "98asjd8");
    const vias = getVias(r.headers);
    assertEquals(vias.map((v) => [v.transport, v.host, v.params.get("branch")]), [
      ["UDP", "192.0.2.2", "390skdjuw"],
      ["TCP", "spindle.example.com", "z9hG4bK9ikj8"],
      ["UDP", "192.168.255.111", "z9hG4bK30239"],
    ]);
    const c = na(getContacts(r.headers)[0]);
    assertEquals(c.displayName, 'Quoted string ""');
    assertEquals(c.params.get("newparam"), "newvalue");
    assertEquals(c.params.get("q"), "0.33");
    assertEquals(r.body.length, 150);
  },
  "intmeth.dat": (m) => {
    const r = req(m);
    assertEquals(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assertEquals(getCSeq(r.headers)?.method, r.method);
    assertEquals(getTo(r.headers)?.displayName, "BEL:\x07 NUL:\x00 DEL:\x7f");
    assertEquals(r.headers.get("call-id"), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    assert(r.headers.get("extensionHeader-!.%*+_`'~")?.startsWith("\uFEFF"));
    const uri = parseUri(r.uri);
    assertEquals(uri.host, "example.com");
    assertEquals(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  },
  "esc01.dat": (m) => {
    const r = req(m);
    assertEquals(parseUri(r.uri).user, "sips:user@example.com");
    assertEquals(getTo(r.headers)?.uri.user, "user");
    assertEquals(getFrom(r.headers)?.uri.user, "I have spaces");
    const c = na(getContacts(r.headers)[0]);
    assertEquals(c.uri.user, "caller");
    assert(c.uri.params.has("lr"));
    assertEquals(c.uri.params.get("name"), "value%41");
    assertNotEquals(c.uri.params.get("name"), "valueA");
  },
  "escnull.dat": (m) => {
    const r = req(m);
    assertEquals(getTo(r.headers)?.uri.user, "null-\x00-null");
    const users = getContacts(r.headers).map((c) => na(c).uri.user);
    assertEquals(users, ["\x00", "\x00\x00"]);
    assertNotEquals(users[0], users[1]);
  },
  "esc02.dat": (m) => {
    const r = req(m);
    assertEquals(r.method, "RE%47IST%45R");
    assertNotEquals(r.method, "REGISTER");
    assertEquals(getTo(r.headers)?.displayName, "%Z%45");
    assertEquals(getContacts(r.headers).length, 2);
    assertEquals(r.headers.get("C%6Fntact"), "<sip:alias2@host2.example.com>");
  },
  "lwsdisp.dat": (m) => {
    assertEquals(getFrom(m.headers)?.displayName, "caller");
    assertEquals(getFrom(m.headers)?.uri.user, "caller");
  },
  "longreq.dat": (m) => {
    const r = req(m);
    assertEquals(getVias(r.headers).length, 34);
    assertEquals(getVias(r.headers)[0].host, "sip33.example.com");
    assert((getTo(r.headers)?.displayName ?? "").includes("extremeextreme"));
    assert((getFrom(r.headers)?.params.get("tag") ?? "").length > 100);
    assertEquals(r.body.length, 150);
  },
  "dblreq.dat": (m, bytes) => {
    const r = req(m);
    assertEquals(r.method, "REGISTER");
    assertEquals(r.body.length, 0);
    assert(bytes.length > 400, "the trailing INVITE is in the file");
  },
  "semiuri.dat": (m) => {
    const uri = parseUri(req(m).uri);
    assertEquals(uri.user, "user;par=u@example.net");
    assertEquals(uri.host, "example.com");
    assertEquals(uri.params.size, 0);
    assertEquals(m.headers.getAll("accept").length, 6);
  },
  "transports.dat": (m) => {
    assertEquals(getVias(m.headers).map((v) => v.transport), [
      "UDP",
      "SCTP",
      "TLS",
      "UNKNOWN",
      "TCP",
    ]);
  },
  "mpart01.dat": (m) => {
    const r = req(m);
    assertEquals(r.method, "MESSAGE");
    assertEquals(r.body.length, 553);
    assert(r.body.includes(0), "body holds NUL bytes");
  },
  "unreason.dat": (m) => {
    const r = res(m);
    assertEquals(r.status, 200);
    assert(r.reason.startsWith("= 2**3 * 5**2 "));
    assert(/[\u0400-\u04ff]/.test(r.reason), "UTF-8 reason decoded");
  },
  "noreason.dat": (m) => {
    assertEquals(res(m).status, 100);
    assertEquals(res(m).reason, "");
  },
  "inv2543.dat": (m, bytes) => {
    const r = req(m);
    assertEquals(r.headers.has("content-length"), false);
    const headEnd = text.decode(bytes).indexOf("\r\n\r\n") + 4;
    assertEquals(r.body.length, bytes.length - headEnd);
    assertEquals(r.body.length, 105);
    assertEquals(getVias(r.headers)[0].params.has("branch"), false);
  },
};

/** valid-but-tricky-semantic files that parse: value checks and the proxy's verdict. */
const TRICKY: Record<string, { check: (m: SipMessage) => void; verdict: string }> = {
  "badbranch.dat": {
    check: (m) => assertEquals(getVias(m.headers)[0].params.get("branch"), "z9hG4bK"),
    verdict: "transaction layer: RFC 2543 matching fallback (branch has no identifier)",
  },
  "unkscm.dat": {
    check: (m) => {
      const uri = parseUri(req(m).uri);
      assertEquals(uri.scheme, "nobodyknowsthisscheme");
      assertEquals(uri.opaque, "totallyopaquecontent");
    },
    verdict: "proxy: 416 Unsupported URI Scheme",
  },
  "novelsc.dat": {
    check: (m) => assertEquals(parseUri(req(m).uri).scheme, "soap.beep"),
    verdict: "proxy: 416 Unsupported URI Scheme",
  },
  "unksm2.dat": {
    check: (m) => {
      assertEquals(getTo(m.headers)?.uri.scheme, "isbn");
      assertEquals(getTo(m.headers)?.bracketed, false);
      assertEquals(getFrom(m.headers)?.uri.scheme, "http");
      assertEquals(na(getContacts(m.headers)[0]).uri.opaque, "John_Smith");
    },
    verdict: "registrar: 400 (To must be SIP/SIPS); proxy forwards",
  },
  "bext01.dat": {
    check: (m) => {
      assert(m.headers.getAll("require").length > 0);
      assert(m.headers.getAll("proxy-require").length > 0);
    },
    verdict: "proxy: 420 Bad Extension for unknown Proxy-Require tags",
  },
  "invut.dat": {
    check: (m) => assertEquals(m.headers.get("content-type"), "application/unknownformat"),
    verdict: "proxy forwards; an endpoint answers 415",
  },
  "regaut01.dat": {
    check: (m) => {
      const auth = parseAuth(m.headers.get("authorization") ?? "");
      assertEquals(auth.scheme, "NoOneKnowsThisScheme");
      assertEquals(auth.opaque, "opaque-data=here");
      assertEquals(auth.params.size, 0);
    },
    verdict: "proxy forwards unchanged; a registrar ignores it or challenges",
  },
  "bcast.dat": {
    check: (m) => assertEquals(getVias(m.headers)[1].host, "255.255.255.255"),
    verdict: "proxy must not send the response to the broadcast address",
  },
  "zeromf.dat": {
    check: (m) => assertEquals(getMaxForwards(m.headers), 0),
    verdict: "proxy: 483 Too Many Hops",
  },
  "cparam01.dat": {
    check: (m) => {
      const c = na(getContacts(m.headers)[0]);
      assertEquals(c.bracketed, false);
      assert(c.params.has("unknownparam"), "header param");
      assert(!c.uri.params.has("unknownparam"), "not a URI param");
    },
    verdict: "registrar: 200; binding without the param",
  },
  "cparam02.dat": {
    check: (m) => {
      const c = na(getContacts(m.headers)[0]);
      assert(c.uri.params.has("unknownparam"), "URI param");
      assert(!c.params.has("unknownparam"), "not a header param");
    },
    verdict: "registrar: 200; binding keeps the URI param",
  },
  "regescrt.dat": {
    check: (m) => {
      const c = na(getContacts(m.headers)[0]);
      assertEquals(c.uri.headers.get("Route"), "<sip:sip.example.com>");
      assertEquals(m.body.length, 0);
    },
    verdict: "registrar: 200; binding keeps the escaped Route header",
  },
  "sdp01.dat": {
    check: (m) => assertEquals(m.headers.get("accept"), "text/nobodyKnowsThis"),
    verdict: "proxy forwards; an endpoint answers 406",
  },
};

/** Files the expectation sheet marks invalid or 400-at-parse: expected status (0 = dropped). */
const REJECTED: Record<string, number> = {
  "badinv01.dat": 400,
  "clerr.dat": 400,
  "ncl.dat": 400,
  "scalar02.dat": 400,
  "scalarlg.dat": 0,
  "quotbal.dat": 400,
  "ltgtruri.dat": 400,
  "lwsruri.dat": 400,
  "lwsstart.dat": 400,
  "trws.dat": 400,
  "escruri.dat": 400,
  "regbadct.dat": 400,
  "badaspec.dat": 400,
  "baddn.dat": 400,
  "badvers.dat": 505,
  "mismatch01.dat": 400,
  "mismatch02.dat": 400,
  "bigcode.dat": 0,
  "insuf.dat": 400,
  "multi01.dat": 400,
  "mcl01.dat": 400,
  "test.dat": 400,
};

/** Invalid per the sheet, accepted on purpose (the RFC allows it): value check + reason. */
const LIBERAL: Record<string, { check: (m: SipMessage) => void; why: string }> = {
  "baddate.dat": {
    check: (m) => assert((m.headers.get("date") ?? "").includes("EST")),
    why: "accepted: Date does not matter to a proxy, its value is ignored (RFC 4475 3.1.2.12)",
  },
};

const PRESENT = corpusPresent();

Deno.test({
  name: PRESENT
    ? "parseMessage() RFC 4475 torture tests"
    : "parseMessage() RFC 4475 torture tests (ignored: tests/fixtures/rfc4475/ is missing)",
  ignore: !PRESENT,
}, async (t) => {
  const rows = Deno.readTextFileSync(new URL("expectations.tsv", CORPUS)).split("\n")
    .slice(1).filter((l) => l.trim() !== "").map((l) => l.split("\t"));
  const expected = new Map(rows.map((r) => [r[0], r[2]]));
  const files = [...Deno.readDirSync(CORPUS)].map((e) => e.name).filter((n) => n.endsWith(".dat"))
    .sort();
  assert(files.length >= 49, `corpus holds ${files.length} files`);
  for (const file of files) {
    // The step name records the verdict the proxy will give (semantic cases).
    const rejected = REJECTED[file] === undefined
      ? undefined
      : `rejected ${REJECTED[file] === 0 ? "(dropped)" : REJECTED[file]}`;
    const note = TRICKY[file]?.verdict ?? LIBERAL[file]?.why ?? rejected;
    await t.step(note === undefined ? file : `${file} -> ${note}`, () => {
      const verdict = expected.get(file);
      assert(verdict !== undefined, `${file} has no row in expectations.tsv`);
      const bytes = Deno.readFileSync(new URL(file, CORPUS));
      if (file in REJECTED) {
        assert(verdict !== "valid", `${file}: the sheet says valid`);
        let error: unknown;
        try {
          parseMessage(bytes);
        } catch (e) {
          error = e;
        }
        assert(error instanceof SipParseError, `${file} must be rejected`);
        assertEquals(error.status, REJECTED[file], error.message);
        return;
      }
      const msg = parseMessage(bytes);
      if (file in VALID) {
        assertEquals(verdict, "valid");
        VALID[file](msg, bytes);
      } else if (file in TRICKY) {
        assertEquals(verdict, "valid-but-tricky-semantic");
        TRICKY[file].check(msg);
      } else if (file in LIBERAL) {
        assertEquals(verdict, "invalid");
        LIBERAL[file].check(msg);
      } else {
        throw new Error(`${file} (${verdict}) has no check in this test`);
      }
    });
  }
});
