import { assert, assertEquals } from "../../_assert.ts";
import { isWsFlow, WsFlows, wsSourceOfFlow } from "../../../mod/signaling/proxy/ws_flows.ts";
import { LoopFlow } from "./_loop_transport.ts";

const local = { host: "192.0.2.1", port: 10060 };

Deno.test("WsFlows.find() returns the open flow of a browser address", () => {
  const flows = new WsFlows();
  const ws = new LoopFlow("ws", local, { host: "127.0.0.1", port: 4000 });
  const wss = new LoopFlow("wss", local, { host: "127.0.0.1", port: 4000 });
  flows.note(ws);
  flows.note(wss);
  flows.note(new LoopFlow("udp", local, { host: "127.0.0.1", port: 4000 }));
  assertEquals(flows.size, 2);
  assertEquals(flows.find({ protocol: "ws", remote: { host: "127.0.0.1", port: 4000 } }), ws);
  assertEquals(flows.find({ protocol: "wss", remote: { host: "127.0.0.1", port: 4000 } }), wss);
  assertEquals(
    flows.find({ protocol: "ws", remote: { host: "127.0.0.1", port: 4001 } }),
    undefined,
  );
});

Deno.test("WsFlows.forget() and closed flows make find() come back empty", () => {
  const flows = new WsFlows();
  const a = new LoopFlow("ws", local, { host: "::1", port: 1 });
  flows.note(a);
  a.close();
  assertEquals(flows.find(wsSourceOfFlow(a)), undefined);
  const b = new LoopFlow("ws", local, { host: "::1", port: 1 });
  flows.note(b);
  flows.forget(a); // a stale close must not remove the newer flow at the same address
  assertEquals(flows.find({ protocol: "ws", remote: { host: "[::1]", port: 1 } }), b);
  flows.forget(b);
  assertEquals(flows.size, 0);
});

Deno.test("isWsFlow() and wsSourceOfFlow() describe browser connections", () => {
  const flow = new LoopFlow("wss", local, { host: "10.1.1.1", port: 443 });
  assert(isWsFlow(flow));
  assertEquals(isWsFlow(new LoopFlow("tcp", local, flow.remote)), false);
  assertEquals(wsSourceOfFlow(flow), { protocol: "wss", remote: { host: "10.1.1.1", port: 443 } });
});
