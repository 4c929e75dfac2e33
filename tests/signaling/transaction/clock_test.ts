import { assert, assertEquals } from "../../_assert.ts";
import { systemClock } from "../../../mod/signaling/transaction/clock.ts";

Deno.test("systemClock runs and clears real timers", async () => {
  const fired: string[] = [];
  const start = systemClock.now();
  const cleared = systemClock.setTimeout(() => fired.push("cleared"), 1);
  systemClock.clearTimeout(cleared);
  await new Promise<void>((resolve) => systemClock.setTimeout(() => resolve(), 5));
  assertEquals(fired, []);
  assert(systemClock.now() >= start + 4, "time moved on");
});
