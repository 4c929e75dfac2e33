import { assert, assertEquals, assertStringIncludes, assertThrowsMessage } from "../_assert.ts";
import { createJsSipClient } from "./_jssip.ts";
import {
  type Kamailio,
  kamailioModuleDir,
  kamailioSkipReason,
  renderKamailioConfig,
  startKamailio,
} from "./_kamailio.ts";
import { firstReason, freePort, skipWhen } from "./_process.ts";
import { runSipp, sippSkipReason, startSippUas } from "./_sipp.ts";
import { statusOf, UdpSipPeer } from "./_udp_peer.ts";

const skip = kamailioSkipReason();
const { test, suffix } = skipWhen(skip);
const skipWithSipp = firstReason(skip, sippSkipReason());

function register(k: Kamailio, peer: UdpSipPeer, user: string, extra: string[] = []): string[] {
  const callId = `reg-${crypto.randomUUID()}`;
  return [
    `REGISTER sip:${k.domain} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-${callId};rport`,
    `Max-Forwards: 70`,
    `From: <sip:${user}@${k.domain}>;tag=r1`,
    `To: <sip:${user}@${k.domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: 1 REGISTER`,
    ...extra,
    `Expires: 60`,
    `Content-Length: 0`,
    "",
    "",
  ];
}

Deno.test("renderKamailioConfig() fills every placeholder of registrar.cfg", async () => {
  const template = await Deno.readTextFile(
    new URL("../fixtures/kamailio/registrar.cfg", import.meta.url),
  );
  assert(template.includes("%%LISTEN%%"));
  const cfg = renderKamailioConfig(template, {
    listen: ["listen=udp:127.0.0.1:5999"],
    mpath: "/modules",
    tlsCfg: "/tmp/tls.cfg",
    password: "pw",
    trusted: "0",
  });
  assertEquals(cfg.match(/%%[A-Z_]+%%/g), null);
  assertStringIncludes(cfg, "listen=udp:127.0.0.1:5999");
  assertStringIncludes(cfg, 'pv_www_authenticate("$fd", "pw", "0")');
  assertStringIncludes(cfg, 'modparam("registrar", "use_path", 1)');
});

Deno.test("renderKamailioConfig() refuses a password that would break the config", () => {
  const values = { listen: [], mpath: "", tlsCfg: "", trusted: "0" };
  assertThrowsMessage(
    () => renderKamailioConfig("%%PASSWORD%%", { ...values, password: 'a"b' }),
    "password must not contain",
  );
});

Deno.test({
  ...test,
  name: `startKamailio() challenges REGISTER with auth and accepts it without${suffix}`,
  async fn() {
    await using peer = new UdpSipPeer();
    {
      await using k = await startKamailio({ tls: false });
      const challenge = await peer.request(
        register(k, peer, "alice", [
          `Contact: <sip:alice@127.0.0.1:${peer.port}>`,
        ]),
        { host: k.host, port: k.udpPort },
      );
      assertEquals(statusOf(challenge), 401);
      assertStringIncludes(challenge, `WWW-Authenticate: Digest realm="${k.domain}"`);
    }
    {
      await using k = await startKamailio({ tls: false, auth: false });
      const ok = await peer.request(
        register(k, peer, "alice", [
          `Contact: <sip:alice@127.0.0.1:${peer.port}>`,
        ]),
        { host: k.host, port: k.udpPort },
      );
      assertEquals(statusOf(ok), 200);
    }
  },
});

Deno.test({
  ...test,
  name:
    `startKamailio() routes requests for an AoR through the Path it was registered with${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: false, auth: false });
    await using edge = new UdpSipPeer(); // the gateway's place: named in Path
    await using caller = new UdpSipPeer();
    const ok = await edge.request(
      register(k, edge, "bob", [
        `Path: <sip:flow-token-xyz@127.0.0.1:${edge.port};lr;ob>`,
        `Supported: path`,
        // unreachable contact: only the Path can bring the request to `edge`
        `Contact: <sip:bob@df7jal23ls0d.invalid;transport=ws>`,
      ]),
      { host: k.host, port: k.udpPort },
    );
    assertEquals(statusOf(ok), 200);
    assertStringIncludes(ok, "Path: <sip:flow-token-xyz@");
    const callId = `msg-${crypto.randomUUID()}`;
    await caller.send([
      `MESSAGE sip:bob@${k.domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${caller.port};branch=z9hG4bK-${callId};rport`,
      `Max-Forwards: 70`,
      `From: <sip:carol@127.0.0.1:${caller.port}>;tag=m1`,
      `To: <sip:bob@${k.domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: 1 MESSAGE`,
      `Content-Type: text/plain`,
      `Content-Length: 5`,
      "",
      "hello",
    ], { host: k.host, port: k.udpPort });
    const relayed = await edge.receive((t) => t.startsWith("MESSAGE "));
    assertStringIncludes(relayed.text, "MESSAGE sip:bob@df7jal23ls0d.invalid;transport=ws SIP/2.0");
    assertStringIncludes(relayed.text, `Route: <sip:flow-token-xyz@127.0.0.1:${edge.port};lr;ob>`);
    // answer it: the 200 goes back to the caller through Kamailio
    const via = [...relayed.text.matchAll(/^Via: .*$/gim)].map((m) => m[0]);
    const pick = (name: string) => relayed.text.match(new RegExp(`^${name}: .*$`, "im"))![0];
    await edge.send([
      "SIP/2.0 200 OK",
      ...via,
      pick("From"),
      `${pick("To")};tag=e1`,
      pick("Call-ID"),
      pick("CSeq"),
      "Content-Length: 0",
      "",
      "",
    ], { host: k.host, port: k.udpPort });
    const answer = await caller.receive((t) => t.startsWith("SIP/2.0 200"));
    assertStringIncludes(answer.text, callId);
  },
});

Deno.test({
  ...test,
  name: `startKamailio() answers OPTIONS over TLS with a certificate of the test CA${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: true });
    assert(k.tlsPort && k.certs);
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: k.tlsPort,
      caCerts: [await Deno.readTextFile(k.certs.caCert)],
    });
    try {
      const callId = `tls-${crypto.randomUUID()}`;
      await conn.write(new TextEncoder().encode([
        `OPTIONS sip:${k.host}:${k.tlsPort};transport=tls SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bK-${callId}`,
        `Max-Forwards: 70`,
        `From: <sip:probe@127.0.0.1>;tag=t1`,
        `To: <sip:${k.host}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 OPTIONS`,
        `Content-Length: 0`,
        "",
        "",
      ].join("\r\n")));
      const buffer = new Uint8Array(4096);
      const n = await conn.read(buffer);
      const response = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      assertEquals(statusOf(response), 200);
      assertStringIncludes(response, callId);
    } finally {
      conn.close();
    }
  },
});

Deno.test({
  ignore: !!skipWithSipp,
  name: `startKamailio() requestAuth challenges untrusted requests only${
    skipWithSipp ? ` (skipped: ${skipWithSipp})` : ""
  }`,
  async fn() {
    const trustedPort = freePort("udp");
    await using k = await startKamailio({
      ws: true,
      tls: false,
      requestAuth: true,
      trusted: [{ host: "127.0.0.1", port: trustedPort }],
    });
    await using alice = await createJsSipClient({
      wsUrl: k.wsUrl!,
      uri: `sip:alice@${k.domain}`,
      password: k.password,
    });
    await alice.register();
    const untrusted = await runSipp({
      scenario: "uac_message",
      remote: { host: k.host, port: k.udpPort },
      domain: k.domain,
      service: "alice",
      keys: { body: "untrusted" },
      timeoutMs: 5000,
    });
    assert(untrusted.code !== 0, "an untrusted MESSAGE must be challenged");
    assertStringIncludes(untrusted.errors, "407");
    const trusted = await runSipp({
      scenario: "uac_message",
      remote: { host: k.host, port: k.udpPort },
      domain: k.domain,
      service: "alice",
      localPort: trustedPort,
      keys: { body: "trusted" },
    });
    assertEquals(trusted.code, 0, trusted.errors);
    assertEquals((await alice.nextMessage()).body.trim(), "trusted 1");
    // JsSIP answers the 407 with the password
    await using bob = await startSippUas({ scenario: "uas_message", traceMessages: true });
    await alice.sendMessage(`sip:bob@127.0.0.1:${bob.port}`, "authenticated");
    const received = await bob.result;
    assertEquals(received.code, 0, received.errors);
    assertStringIncludes(received.messages, "authenticated");
    // Kamailio consumed the credentials; its log shows the challenge JsSIP answered
    assertStringIncludes(await k.log(), "challenging MESSAGE from 127.0.0.1:");
  },
});

Deno.test("kamailioModuleDir() finds the websocket and tls modules when installed", () => {
  const dir = kamailioModuleDir();
  if (skip) assertEquals(dir === undefined || skip.includes("openssl"), true);
  else assert(dir && Deno.statSync(`${dir}/websocket.so`).isFile);
});
