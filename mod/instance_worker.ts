/**
 * Worker entry of signaling instances 1..N-1 (see instance_config.ts and instance_pool.ts):
 * receives its index, instance id and the configuration (secrets unwrapped), starts its
 * gateway on its own SIP-side ports, reports `listening` with its bound transports, answers
 * `stats`, and on `close` closes the gateway and reports `closed`.
 *
 * @module
 */

import { configureLogging, createLogger } from "./log.ts";
import { type RunningGateway, startGatewayInstance } from "./gateway.ts";
import { deserializeConfig } from "./instance_config.ts";
import type { FromInstance, ToInstance } from "./instance_pool.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToInstance>) => void) | null;
  postMessage(message: FromInstance): void;
  close(): void;
}

const scope = self as unknown as WorkerScope;
let gateway: RunningGateway | undefined;
let starting: Promise<void> | undefined;

async function start(message: Extract<ToInstance, { type: "start" }>): Promise<void> {
  const config = deserializeConfig(message.config);
  configureLogging({ level: config.debugLevel });
  const logger = createLogger(`gateway.${message.index}`);
  try {
    gateway = await startGatewayInstance(config, logger, {
      instanceId: message.instanceId,
      reusePort: true,
    });
  } catch (error) {
    scope.postMessage({ type: "error", message: String(error) });
    return;
  }
  scope.postMessage({
    type: "listening",
    transports: gateway.transports.map((t) => ({
      protocol: t.protocol,
      host: t.local.host,
      port: t.local.port,
    })),
  });
}

async function close(): Promise<void> {
  await starting;
  await gateway?.close();
  gateway = undefined;
  scope.postMessage({ type: "closed" });
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      starting = start(message);
      break;
    case "stats":
      scope.postMessage({ type: "stats", id: message.id, stats: gateway?.stats() ?? {} });
      break;
    case "close":
      close().catch((error) => {
        createLogger("gateway").error("Cannot close signaling instance", { error });
        scope.postMessage({ type: "closed" });
      });
      break;
  }
};
