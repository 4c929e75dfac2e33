import { deepStrictEqual, throws } from "node:assert/strict";
import { DEFAULT_LIMITS, resolveLimits } from "../../../mod/signaling/transport/limits.ts";

Deno.test("resolveLimits() fills missing limits with the defaults", () => {
  deepStrictEqual(resolveLimits(), { ...DEFAULT_LIMITS });
  deepStrictEqual(DEFAULT_LIMITS.maxMessageSize, 65536);
  deepStrictEqual(DEFAULT_LIMITS.maxConnectionsPerIp, 100);
  deepStrictEqual(DEFAULT_LIMITS.handshakeTimeoutMs, 10000);
  deepStrictEqual(DEFAULT_LIMITS.idleTimeoutMs, 300000);
  deepStrictEqual(resolveLimits({ maxConnectionsPerIp: 3 }), {
    ...DEFAULT_LIMITS,
    maxConnectionsPerIp: 3,
  });
});

Deno.test("resolveLimits() refuses negative and fractional values", () => {
  throws(() => resolveLimits({ maxMessageSize: -1 }), RangeError);
  throws(() => resolveLimits({ idleTimeoutMs: 1.5 }), /idleTimeoutMs/);
});
