import { assertEquals, assertThrows } from "../../_assert.ts";
import type { Flow } from "../../../mod/signaling/transport/transport.ts";
import { flowTransport } from "../../../mod/signaling/transaction/flow_transport.ts";
import { TransactionLayer } from "../../../mod/signaling/transaction/transaction_layer.ts";
import { FakeClock } from "../../_fake_clock.ts";
import { request, response } from "./_sip.ts";

function fakeFlow(reliable: boolean, written: string[]): Flow {
  return {
    id: "f1",
    protocol: reliable ? "tcp" : "udp",
    local: { host: "127.0.0.1", port: 5060 },
    remote: { host: "127.0.0.1", port: 5080 },
    reliable,
    closed: false,
    send(bytes: Uint8Array) {
      written.push(new TextDecoder().decode(bytes));
      return Promise.resolve();
    },
    close() {},
  };
}

Deno.test("flowTransport() writes serialized messages to the flow and reads its reliability", async () => {
  const written: string[] = [];
  const transport = flowTransport();
  const udp = fakeFlow(false, written);
  assertEquals(transport.isReliable(udp), false);
  assertEquals(transport.isReliable(fakeFlow(true, written)), true);
  await transport.send(request({ method: "OPTIONS" }), udp);
  assertEquals(written[0].startsWith("OPTIONS sip:bob@example.com SIP/2.0\r\n"), true);
  assertEquals(written[0].includes("branch=z9hG4bK-1"), true);
});

Deno.test("flowTransport() refuses targets that are not flows", () => {
  assertThrows(() => flowTransport().isReliable({ host: "x" }), TypeError, "not a transport Flow");
});

Deno.test("flowTransport() drives a TransactionLayer over a Flow", () => {
  const written: string[] = [];
  const clock = new FakeClock();
  const layer = new TransactionLayer(flowTransport(), { onRequest() {} }, { clock });
  const flow = fakeFlow(false, written);
  const statuses: number[] = [];
  layer.sendRequest(request(), flow, { onResponse: (r) => void statuses.push(r.status) });
  clock.advance(500);
  layer.receive(response(404, { toTag: "t" }), flow);
  assertEquals(written.map((w) => w.split(" ")[0]), ["INVITE", "INVITE", "ACK"]);
  assertEquals(statuses, [404]);
  clock.runAll();
  assertEquals(layer.size, 0);
});
