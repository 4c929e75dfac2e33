// JsSIP, the SIP stack web phones run, against the WS transport alone (no proxy): its
// REGISTER arrives parsed, the 200 OK written back completes its registration.

import * as JsSIP from "jssip";
import { ok, strictEqual } from "node:assert/strict";
import { createResponse, serializeMessage } from "../../../mod/signaling/message/mod.ts";
import { TransportLayer } from "../../../mod/signaling/transport/mod.ts";
import { Inbox } from "./_helpers.ts";

Deno.test("listenWs() carries a JsSIP REGISTER and its 200 OK", async () => {
  const inbox = new Inbox();
  const layer = new TransportLayer({
    onMessage(message, flow) {
      inbox.onMessage(message, flow);
      if (message.kind !== "request" || message.method !== "REGISTER") return;
      const response = createResponse(message, 200, "OK");
      response.headers.set("Contact", `${message.headers.get("contact")};expires=600`);
      layer.send(serializeMessage(response), flow).catch(() => {});
    },
    onFlowClosed: (flow) => inbox.onFlowClosed(flow),
  });
  let ua: InstanceType<typeof JsSIP.UA> | undefined;
  try {
    const { local } = await layer.listen({ protocol: "ws", hostname: "127.0.0.1", port: 0 });
    const socket = new JsSIP.WebSocketInterface(`ws://127.0.0.1:${local.port}`);
    ua = new JsSIP.UA({
      sockets: [socket],
      uri: "sip:alice@example.com",
      register: true,
      connection_recovery_min_interval: 60,
    });
    const registered = new Promise<void>((resolve, reject) => {
      ua!.on("registered", () => resolve());
      ua!.on(
        "registrationFailed",
        (e: { cause?: string }) => reject(new Error(`registration failed: ${e.cause}`)),
      );
    });
    ua.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      registered,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("JsSIP did not register")), 10000);
      }),
    ]).finally(() => clearTimeout(timer));
    const { message, flow } = inbox.messages[0];
    strictEqual(message.kind === "request" && message.method, "REGISTER");
    strictEqual(flow.protocol, "ws");
    ok(message.headers.get("via")?.startsWith("SIP/2.0/WS "));
  } finally {
    ua?.stop();
    await inbox.until(() => inbox.closedFlows.length === 1, "the WebSocket to close", 10000)
      .catch(() => {});
    await layer.close();
  }
});
