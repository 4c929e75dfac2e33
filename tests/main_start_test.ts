// main.ts as a real process: starts from a config file (or the repository's default), logs
// 'listening', answers OPTIONS over UDP and WS, and exits 0 on SIGTERM.

import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { type ChildProcess, startProcess, tail, waitFor, withTimeout } from "./interop/_process.ts";
import { udpOptions } from "./_sip_ping.ts";
import { optionsText } from "./_sip_text.ts";

const REPO = new URL("..", import.meta.url).pathname;
const WAIT_MS = 5000;

async function wsOptions(port: number): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, "sip");
  const closed = new Promise((resolve) => ws.onclose = resolve);
  try {
    const reply = new Promise<string>((resolve, reject) => {
      ws.onmessage = (event) => resolve(String(event.data));
      ws.onerror = () => reject(new Error("WebSocket error"));
    });
    await withTimeout("WebSocket open", new Promise((resolve) => ws.onopen = resolve), WAIT_MS);
    ws.send(optionsText(`sip:127.0.0.1:${port};transport=ws`, "SIP/2.0/WS abc.invalid"));
    return await withTimeout("WebSocket response", reply, WAIT_MS);
  } finally {
    ws.close();
    await withTimeout("WebSocket close", closed, WAIT_MS).catch(() => {});
  }
}

/** Starts `deno run -A main.ts ...args` from the repository. */
function startMain(args: string[]): ChildProcess {
  return startProcess(Deno.execPath(), ["run", "-A", "main.ts", ...args], {
    name: "main.ts",
    cwd: REPO,
    env: { NO_COLOR: "1" },
  });
}

/** Waits for the 'listening' line of each protocol; returns the bound ports. */
async function listeningPorts(
  main: ChildProcess,
  protocols: string[],
): Promise<Map<string, number>> {
  return await waitFor(`main.ts to log 'listening' for ${protocols.join(", ")}`, async () => {
    if (main.done) throw new Error(`main.ts exited early:\n${tail(await main.log())}`);
    const ports = new Map<string, number>();
    for (const match of (await main.log()).matchAll(/listening.*protocol=(\w+).*:(\d+)/g)) {
      ports.set(match[1], Number(match[2]));
    }
    return protocols.every((p) => ports.has(p)) && ports;
  }, { timeoutMs: 30_000, intervalMs: 100 });
}

async function stopAndCheck(main: ChildProcess): Promise<void> {
  const status = await main.stop({ graceMs: 10_000 });
  const log = await main.log();
  assertEquals(status.code, 0, `exit code after SIGTERM:\n${tail(log)}`);
  assertStringIncludes(log, "Stopping");
  assertStringIncludes(log, "signal=SIGTERM");
}

function portsFree(): string | undefined {
  const taken: string[] = [];
  for (const [proto, port] of [["udp", 5060], ["tcp", 5060], ["tcp", 10060]] as const) {
    try {
      if (proto === "udp") {
        Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port }).close();
      } else Deno.listen({ hostname: "0.0.0.0", port }).close();
    } catch {
      taken.push(`${proto}/${port}`);
    }
  }
  return taken.length ? `${taken.join(", ")} already in use` : undefined;
}

Deno.test("main.ts --config starts, answers OPTIONS over UDP and WS, exits 0 on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "main_start_" });
  const config = `${dir}/gateway.xml`;
  await Deno.writeTextFile(
    config,
    `<config>
  <debug-level>INFO</debug-level>
  <transport>udp;127.0.0.1;*</transport>
  <transport>ws;127.0.0.1;*</transport>
  <allowed-destinations>127.0.0.1</allowed-destinations>
  <nameserver>127.0.0.1:9</nameserver>
</config>`,
  );
  const main = startMain(["--config", config]);
  try {
    const ports = await listeningPorts(main, ["udp", "ws"]);
    assertStringIncludes(await main.log(), config);
    const udp = await udpOptions("127.0.0.1", ports.get("udp")!, WAIT_MS);
    assert(udp.startsWith("SIP/2.0 200 "), udp);
    const ws = await wsOptions(ports.get("ws")!);
    assert(ws.startsWith("SIP/2.0 200 "), ws);
    await stopAndCheck(main);
  } finally {
    await main.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts exits 1 when its port is taken", async () => {
  const blocker = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "main_start_" });
  const config = `${dir}/gateway.xml`;
  const port = (blocker.addr as Deno.NetAddr).port;
  await Deno.writeTextFile(
    config,
    `<config><transport>udp;127.0.0.1;${port}</transport>
      <allowed-destinations>127.0.0.1</allowed-destinations></config>`,
  );
  const main = startMain(["--config", config]);
  try {
    const status = await withTimeout("main.ts to exit", main.exited, 30_000);
    assertEquals(status.code, 1, tail(await main.log()));
    assertStringIncludes(await main.log(), "Cannot start the gateway");
  } finally {
    await main.stop();
    blocker.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const defaultPortsTaken = portsFree();
Deno.test({
  name: `main.ts with the repository's config.xml listens on 5060/10060${
    defaultPortsTaken ? ` (ignored: ${defaultPortsTaken})` : ""
  }`,
  ignore: defaultPortsTaken !== undefined,
  async fn() {
    const main = startMain([]);
    try {
      const ports = await listeningPorts(main, ["udp", "tcp", "ws"]);
      assertEquals([ports.get("udp"), ports.get("tcp"), ports.get("ws")], [5060, 5060, 10060]);
      const udp = await udpOptions("127.0.0.1", 5060, WAIT_MS);
      assert(udp.startsWith("SIP/2.0 200 "), udp);
      const ws = await wsOptions(10060);
      assert(ws.startsWith("SIP/2.0 200 "), ws);
      await stopAndCheck(main);
    } finally {
      await main.stop();
    }
  },
});
