import { assertEquals, assertThrows } from "./_assert.ts";
import { parseConfig } from "../mod/config/mod.ts";
import type { TransportConfig } from "../mod/config/config.ts";
import {
  deserializeConfig,
  instanceCount,
  instanceTransports,
  serializeConfig,
  transportKey,
} from "../mod/instance_config.ts";

const TRANSPORTS: TransportConfig[] = [
  { protocol: "udp", host: "0.0.0.0", port: 5060 },
  { protocol: "tcp", host: "0.0.0.0", port: 5060 },
  { protocol: "tls", host: "0.0.0.0", port: 5061 },
  { protocol: "udp", host: "127.0.0.1", port: 0 },
  { protocol: "ws", host: "0.0.0.0", port: 10060 },
  { protocol: "wss", host: "0.0.0.0", port: 0 },
];

Deno.test("instanceCount() takes the configured count, auto as the number of cores", () => {
  assertEquals(instanceCount({ signalingInstances: 3 }, 8), 3);
  assertEquals(instanceCount({ signalingInstances: "auto" }, 2), 2);
  assertEquals(instanceCount({ signalingInstances: "auto" }, 0), 1);
  assertEquals(instanceCount({ signalingInstances: "auto" }, 256), 64);
});

Deno.test("instanceTransports() moves SIP-side ports by 10 per instance and shares WS/WSS ports", () => {
  assertEquals(instanceTransports(TRANSPORTS, 0), TRANSPORTS);
  const shared = new Map([[transportKey(TRANSPORTS[5]), 43210]]);
  assertEquals(instanceTransports(TRANSPORTS, 2, shared).map((t) => t.port), [
    5080,
    5080,
    5081,
    0,
    10060,
    43210,
  ]);
});

Deno.test("instanceTransports() refuses a port above 65535", () => {
  assertThrows(
    () => instanceTransports([{ protocol: "udp", host: "0.0.0.0", port: 65530 }], 1),
    RangeError,
    "65530 + 10 x 1 is above 65535",
  );
});

Deno.test("serializeConfig() unwraps secrets for structured clone and deserializeConfig() wraps them again", () => {
  const { config } = parseConfig(
    `<config>
      <flow-token-secret>0123456789abcdef0123</flow-token-secret>
      <stun-server>127.0.0.1;3478;user;pass</stun-server>
    </config>`,
  );
  const serialized = structuredClone(serializeConfig(config));
  assertEquals(serialized.flowTokenSecret, "0123456789abcdef0123");
  const back = deserializeConfig(serialized);
  assertEquals(back.flowTokenSecret.reveal(), "0123456789abcdef0123");
  assertEquals(back.stunServer?.password?.reveal(), "pass");
  assertEquals(String(back.flowTokenSecret), "[redacted]");
  const { flowTokenSecret: _a, stunServer: _b, ...rest } = config;
  const { flowTokenSecret: _c, stunServer: _d, ...restBack } = back;
  assertEquals(restBack, rest);
});
