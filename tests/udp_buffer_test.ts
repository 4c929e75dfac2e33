import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { getUdpReceiveBuffer, setUdpReceiveBuffer } from "../mod/udp_buffer.ts";
import { TransportLayer } from "../mod/signaling/transport/mod.ts";
import { hasIpv6, Inbox } from "./signaling/transport/_helpers.ts";

const linux = Deno.build.os === "linux";

/** What Linux gives for a request of `bytes`: capped at rmem_max, then doubled. */
function expectedBuffer(bytes: number): number {
  const max = Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());
  return 2 * Math.min(bytes, max);
}

function listen(hostname: string): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
}

Deno.test({
  name: "setUdpReceiveBuffer() sets SO_RCVBUF on the socket bound to the address",
  ignore: !linux,
  fn() {
    const socket = listen("127.0.0.1");
    const other = listen("127.0.0.1");
    try {
      const local = socket.addr as Deno.NetAddr;
      const before = getUdpReceiveBuffer(local);
      ok(before !== undefined && before > 0);
      const result = setUdpReceiveBuffer(local, 1 << 20);
      deepStrictEqual(result, {
        ok: true,
        requested: 1 << 20,
        before,
        effective: expectedBuffer(1 << 20),
        sockets: 1,
      });
      strictEqual(getUdpReceiveBuffer(local), expectedBuffer(1 << 20));
      strictEqual(
        getUdpReceiveBuffer(other.addr as Deno.NetAddr),
        before,
        "other socket untouched",
      );
    } finally {
      socket.close();
      other.close();
    }
  },
});

Deno.test({
  name: "setUdpReceiveBuffer() finds IPv6 sockets",
  ignore: !linux || !hasIpv6(),
  fn() {
    const socket = listen("::1");
    try {
      const result = setUdpReceiveBuffer(socket.addr as Deno.NetAddr, 300000);
      ok(result.ok);
      strictEqual(result.effective, expectedBuffer(300000));
    } finally {
      socket.close();
    }
  },
});

Deno.test({
  name: "setUdpReceiveBuffer() reports a socket it cannot find instead of throwing",
  ignore: !linux,
  fn() {
    const socket = listen("127.0.0.1");
    const port = (socket.addr as Deno.NetAddr).port;
    socket.close();
    deepStrictEqual(setUdpReceiveBuffer({ hostname: "127.0.0.1", port }, 1 << 20), {
      ok: false,
      reason: "socket descriptor not found",
    });
  },
});

Deno.test({
  name: "without --allow-ffi the buffer stays and the reason is given",
  ignore: !linux,
  async fn() {
    const script = `
      import { setUdpReceiveBuffer } from ${
      JSON.stringify(import.meta.resolve("../mod/udp_buffer.ts"))
    };
      const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      console.log(JSON.stringify(setUdpReceiveBuffer(socket.addr, 1 << 20)));
      socket.close();`;
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(file, script);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--unstable-net", "--allow-net", "--allow-read", "--no-config", file],
      env: { NO_COLOR: "1" },
    }).output().finally(() => Deno.remove(file));
    const stderr = new TextDecoder().decode(output.stderr);
    strictEqual(output.code, 0, stderr);
    deepStrictEqual(JSON.parse(new TextDecoder().decode(output.stdout)), {
      ok: false,
      reason: "needs the --allow-ffi permission",
    });
  },
});

Deno.test({
  name: "a UDP transport asks for limits.udpReceiveBuffer and logs what it got",
  ignore: !linux,
  async fn() {
    const infos: Record<string, unknown>[] = [];
    const log = {
      debug() {},
      info(_message: string, fields?: Record<string, unknown>) {
        infos.push(fields ?? {});
      },
      warn() {},
    };
    const layer = new TransportLayer(new Inbox(), { limits: { udpReceiveBuffer: 500000 }, log });
    try {
      const transport = await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
      const local = { hostname: "127.0.0.1", port: transport.local.port };
      strictEqual(getUdpReceiveBuffer(local), expectedBuffer(500000));
      deepStrictEqual(infos.map((fields) => [fields.local, fields.effective]), [
        [`127.0.0.1:${transport.local.port}`, expectedBuffer(500000)],
      ]);
    } finally {
      await layer.close();
    }
  },
});
