import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_assert.ts";
import {
  freePort,
  requireBinary,
  skipWhen,
  startProcess,
  waitFor,
  waitForBound,
  waitForPort,
  withTimeout,
} from "./_process.ts";

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z /.test(stat); // a zombie is dead
  } catch {
    return false;
  }
}

Deno.test("freePort() returns a port that can be bound", () => {
  const tcp = freePort("tcp");
  Deno.listen({ hostname: "127.0.0.1", port: tcp }).close();
  const udp = freePort("udp");
  Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: udp }).close();
  assert(tcp > 0 && udp > 0);
});

Deno.test("requireBinary() gives a reason only when the binary is missing", () => {
  assertEquals(requireBinary("sh"), undefined);
  const reason = requireBinary("no-such-binary-webrtc2sip");
  assert(reason);
  assertStringIncludes(reason, "no-such-binary-webrtc2sip not found");
});

Deno.test("startProcess() logs output and stop() ends the whole process group", async () => {
  const child = startProcess("sh", ["-c", "sleep 30 & echo bg=$!; echo to-stderr >&2; wait"]);
  try {
    const bg = await waitFor("background pid", async () => {
      const match = (await child.log()).match(/bg=(\d+)/);
      return match ? Number(match[1]) : undefined;
    }, { timeoutMs: 5000 });
    await waitFor("stderr in the log", async () => (await child.log()).includes("to-stderr"));
    assert(alive(bg));
    const status = await child.stop({ graceMs: 2000 });
    assertEquals(status.success, false);
    assert(child.done);
    await waitFor("background child gone", () => !alive(bg), { timeoutMs: 3000 });
  } finally {
    await child.stop();
    await Deno.remove(child.logPath).catch(() => {});
  }
});

Deno.test("startProcess() stop() kills with SIGKILL a child that ignores SIGTERM", async () => {
  const child = startProcess("sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"]);
  try {
    await waitFor("ready", async () => (await child.log()).includes("ready"), { timeoutMs: 5000 });
    const status = await child.stop({ graceMs: 300 });
    assertEquals(status.signal, "SIGKILL");
  } finally {
    await child.stop();
    await Deno.remove(child.logPath).catch(() => {});
  }
});

Deno.test("waitForPort() resolves on a TCP listener and times out on a closed port", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    await waitForPort("tcp", port, { timeoutMs: 2000 });
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
  const started = Date.now();
  await assertRejects(() => waitForPort("tcp", freePort("tcp"), { timeoutMs: 300 }), "Timed out");
  assert(Date.now() - started < 2000);
});

Deno.test("waitForPort() resolves when a UDP peer answers the OPTIONS probe", async () => {
  const peer = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (peer.addr as Deno.NetAddr).port;
  const answering = (async () => {
    const [data, from] = await peer.receive();
    assertStringIncludes(new TextDecoder().decode(data), "OPTIONS sip:");
    await peer.send(new TextEncoder().encode("SIP/2.0 200 OK\r\n\r\n"), from);
  })();
  try {
    await waitForPort("udp", port, { timeoutMs: 3000 });
    await answering;
  } finally {
    peer.close();
  }
  await assertRejects(() => waitForPort("udp", freePort("udp"), { timeoutMs: 300 }), "Timed out");
});

Deno.test("waitForPort() fails early with the log when the process exits", async () => {
  const child = startProcess("sh", ["-c", "echo boom-reason; exit 3"]);
  try {
    const error = await assertRejects(
      () => waitForPort("tcp", freePort("tcp"), { process: child, timeoutMs: 5000 }),
      "exited before",
    );
    assertStringIncludes(error.message, "boom-reason");
  } finally {
    await child.stop();
    await Deno.remove(child.logPath).catch(() => {});
  }
});

Deno.test("waitForBound() sees a UDP port bound by another socket", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    await waitForBound("udp", (socket.addr as Deno.NetAddr).port, { timeoutMs: 1000 });
  } finally {
    socket.close();
  }
  await assertRejects(() => waitForBound("udp", freePort("udp"), { timeoutMs: 200 }), "Timed out");
});

Deno.test("withTimeout() rejects after the limit and passes values through", async () => {
  assertEquals(await withTimeout("value", Promise.resolve(7), 100), 7);
  await assertRejects(
    () => withTimeout("never", new Promise(() => {}), 50),
    "Timed out after 50 ms waiting for never",
  );
});

Deno.test("skipWhen() ignores the test and puts the first reason in its name", () => {
  assertEquals(skipWhen(undefined, "sipp not found", "kamailio not found"), {
    test: { ignore: true },
    suffix: " (skipped: sipp not found)",
  });
  assertEquals(skipWhen(undefined, undefined), { test: { ignore: false }, suffix: "" });
});
