// A WebSocket server for scripts/bench/ws_memory.ts, run in its own process:
//   deno run -A --v8-flags=--expose-gc _ws_memory_server.ts bare|gateway
// "bare" is Deno.serve + Deno.upgradeWebSocket doing nothing; "gateway" is the gateway's WS
// transport (a TransportLayer listening on ws). It writes `port <n>` on stdout, then obeys
// lines on stdin: `gc` (collect garbage, answers `gc done`), `flows` (answers `flows <n>`),
// `heap` (answers `heap <used> <total> <external>` in bytes);
// it exits when stdin closes or after 10 minutes, whichever comes first.

import { TransportLayer } from "../../mod/signaling/transport/mod.ts";

const MAX_LIFETIME_MS = 600_000;
const encoder = new TextEncoder();
const kind = Deno.args[0];

async function write(line: string): Promise<void> {
  await Deno.stdout.write(encoder.encode(line + "\n"));
}

let flows: () => number;
let stop: () => Promise<void>;

if (kind === "bare") {
  let open = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req, { protocol: "sip" });
    socket.onopen = () => open++;
    socket.onclose = () => open--;
    return response;
  });
  await write(`port ${server.addr.port}`);
  flows = () => open;
  stop = () => server.shutdown();
} else if (kind === "gateway") {
  // every bench connection comes from 127.0.0.1: lift the per-IP limit (default 100)
  const layer = new TransportLayer({ onMessage() {} }, {
    limits: { maxConnectionsPerIp: 1_000_000 },
  });
  const transport = await layer.listen({ protocol: "ws", hostname: "127.0.0.1", port: 0 });
  await write(`port ${transport.local.port}`);
  flows = () => layer.flowCount;
  stop = () => layer.close();
} else {
  throw new Error(`Cannot start the bench server: unknown kind ${kind} (bare or gateway)`);
}

const lifetime = setTimeout(() => Deno.exit(0), MAX_LIFETIME_MS);
const gc = (globalThis as { gc?: () => void }).gc;
const decoder = new TextDecoder();
let pending = "";
for await (const chunk of Deno.stdin.readable) {
  pending += decoder.decode(chunk);
  let newline;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const command = pending.slice(0, newline).trim();
    pending = pending.slice(newline + 1);
    if (command === "gc") {
      gc?.();
      await write(gc ? "gc done" : "gc unavailable");
    } else if (command === "heap") {
      const { heapUsed, heapTotal, external } = Deno.memoryUsage();
      await write(`heap ${heapUsed} ${heapTotal} ${external}`);
    } else if (command === "flows") {
      await write(`flows ${flows()}`);
    }
  }
}
clearTimeout(lifetime);
await stop();
Deno.exit(0);
