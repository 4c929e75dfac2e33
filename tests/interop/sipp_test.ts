import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { firstReason, freePort } from "./_process.ts";
import { runSipp, sippArgs, sippSkipReason, sippTlsSkipReason, startSippUas } from "./_sipp.ts";

const skip = sippSkipReason();
const suffix = skip ? ` (skipped: ${skip})` : "";
const skipWithKamailio = firstReason(skip, kamailioSkipReason());

Deno.test("sippArgs() bounds every run and targets the remote", () => {
  const args = sippArgs(
    {
      scenario: "uac_message",
      remote: { host: "127.0.0.1", port: 5080 },
      calls: 3,
      timeoutMs: 4500,
      bufferSize: 1 << 20,
      keys: { body: "x" },
    },
    5070,
    20000,
  );
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assertEquals(after("-m"), "3");
  assertEquals(after("-timeout"), "5s");
  assert(args.includes("-timeout_error"));
  assertEquals(after("-max_retrans"), "5");
  assertEquals(after("-buff_size"), String(1 << 20));
  assertEquals(after("-p"), "5070");
  assertEquals(after("-mp"), "20000");
  assertStringIncludes(after("-sf"), "tests/fixtures/sipp/uac_message.xml");
  assertEquals(args.at(-1), "127.0.0.1:5080");
  assertEquals(args[args.indexOf("domain") + 1], "127.0.0.1:5080");
});

Deno.test({
  ignore: !!skip,
  name: `runSipp() places calls to a SIPp UAS, which counts them${suffix}`,
  async fn() {
    await using uas = await startSippUas({ scenario: "uas_answer", calls: 2 });
    const uac = await runSipp({
      scenario: "uac_invite",
      remote: { host: "127.0.0.1", port: uas.port },
      service: "bob",
      calls: 2,
      pauseMs: 100,
    });
    assertEquals(uac.code, 0, uac.errors || uac.stdout.slice(-1500));
    assertEquals([uac.successful, uac.failed], [2, 0]);
    const answered = await uas.result;
    assertEquals(answered.code, 0, answered.errors);
    assertEquals(answered.successful, 2);
  },
});

Deno.test({
  ignore: !!skip,
  name: `runSipp() fails within its timeout when nobody answers${suffix}`,
  async fn() {
    const started = Date.now();
    const result = await runSipp({
      scenario: "uac_message",
      remote: { host: "127.0.0.1", port: freePort("udp") },
      service: "nobody",
      timeoutMs: 2000,
    });
    assert(result.code !== 0, "SIPp must report the failure");
    assert(Date.now() - started < 10_000, "the run must stop by itself");
  },
});

Deno.test({
  ignore: !!skipWithKamailio,
  name: `runSipp() uac_register registers a SIPp UAS that then gets calls for its AoR${
    skipWithKamailio ? ` (skipped: ${skipWithKamailio})` : ""
  }`,
  async fn() {
    await using k = await startKamailio({ tls: false });
    const port = freePort("udp");
    const kamailio = { host: k.host, port: k.udpPort };
    const registered = await runSipp({
      scenario: "uac_register",
      remote: kamailio,
      domain: k.domain,
      fromUser: "dave",
      localPort: port,
      auth: { user: "dave", password: k.password },
      keys: { expires: "60" },
    });
    assertEquals(registered.code, 0, registered.errors || registered.stdout.slice(-1500));
    await using dave = await startSippUas({ scenario: "uas_answer", localPort: port });
    const caller = await runSipp({
      scenario: "uac_invite",
      remote: kamailio,
      domain: k.domain,
      service: "dave",
      pauseMs: 100,
    });
    assertEquals(caller.code, 0, caller.errors || caller.stdout.slice(-1500));
    assertEquals((await dave.result).successful, 1);
  },
});

const skipTls = firstReason(sippTlsSkipReason(), kamailioSkipReason());

Deno.test({
  ignore: !!skipTls,
  name: `runSipp() registers over TLS with the test certificates${
    skipTls ? ` (skipped: ${skipTls})` : ""
  }`,
  async fn() {
    await using k = await startKamailio({ tls: true });
    const registered = await runSipp({
      scenario: "uac_register",
      transport: "tls",
      remote: { host: k.host, port: k.tlsPort! },
      domain: k.domain,
      fromUser: "erin",
      auth: { user: "erin", password: k.password },
      keys: { expires: "60" },
      tls: { cert: k.certs!.cert, key: k.certs!.key },
      traceMessages: true,
    });
    assertEquals(registered.code, 0, registered.errors || registered.stdout.slice(-1500));
    assertStringIncludes(registered.messages, "SIP/2.0/TLS");
  },
});
