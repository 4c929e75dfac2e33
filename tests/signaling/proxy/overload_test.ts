import { assert, assertEquals } from "../../_assert.ts";
import { OverloadGuard } from "../../../mod/signaling/proxy/overload.ts";
import type { Clock } from "../../../mod/signaling/transaction/clock.ts";
import { answer, fixture } from "./_proxy_fixture.ts";
import { request } from "./_messages.ts";
import { settle } from "./_loop_transport.ts";

/** A clock whose timers run only when `runTimers()` is called, at whatever time it is then:
 * the delay between the two is the event-loop lag a busy isolate would show. */
class BusyClock implements Clock {
  time = 0;
  #last = 0;
  timers = new Map<number, () => void>();
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, _ms: number): number {
    this.timers.set(++this.#last, callback);
    return this.#last;
  }
  clearTimeout(id: number): void {
    this.timers.delete(id);
  }
  runTimers(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const callback of due) callback();
  }
}

function message(n: number, extra: string[] = [], method = "MESSAGE") {
  return request([
    `${method} sip:bob@10.0.0.9 SIP/2.0`,
    `Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKm${n}`,
    "From: <sip:alice@example.com>;tag=a",
    "To: <sip:bob@example.com>",
    `Call-ID: overload-${n}`,
    `CSeq: 1 ${method}`,
    "Max-Forwards: 70",
    ...extra,
  ]);
}

Deno.test("OverloadGuard.refuse() refuses past maxInFlight requests in flight, never CANCEL or in-dialog BYE", () => {
  const guard = new OverloadGuard(new BusyClock(), { maxInFlight: 2 });
  assertEquals(guard.refuse(message(1)), false);
  const ticket = guard.enter();
  guard.enter();
  assertEquals(guard.refuse(message(2)), true);
  assertEquals(guard.refuse(message(3, [], "CANCEL")), false);
  const inDialogBye = request([
    "BYE sip:bob@10.0.0.9 SIP/2.0",
    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKbye",
    "From: <sip:alice@example.com>;tag=a",
    "To: <sip:bob@example.com>;tag=b",
    "Call-ID: overload-bye",
    "CSeq: 2 BYE",
  ]);
  assertEquals(guard.refuse(inDialogBye), false);
  assertEquals(guard.refuse(message(4, [], "BYE")), true, "a BYE outside a dialog is new work");
  assertEquals(guard.refused, 2);
  guard.leave(ticket);
  guard.leave(-1); // not a ticket: ignored
  assertEquals(guard.inFlight, 1);
  assertEquals(guard.refuse(message(5)), false);
});

Deno.test("OverloadGuard.refuse() measures event-loop lag with one probe and refuses while it is high", () => {
  const clock = new BusyClock();
  const guard = new OverloadGuard(clock, { maxLagMs: 200, probeIntervalMs: 100 });
  assertEquals(guard.refuse(message(1)), false);
  assertEquals(clock.timers.size, 1, "a probe runs while requests arrive");
  guard.refuse(message(2));
  assertEquals(clock.timers.size, 1, "one probe at a time");
  clock.time = 250; // the probe's turn comes 250 ms late
  clock.runTimers();
  assertEquals(guard.lagMs, 250);
  assertEquals(guard.refuse(message(3)), true);
  clock.time = 260;
  clock.runTimers(); // a new probe, on time
  assertEquals(guard.lagMs, 10);
  assertEquals(guard.refuse(message(4)), false);
  clock.time = 5000;
  assertEquals(guard.lagMs, 0, "an old measure no longer counts");
  guard.close();
});

Deno.test("OverloadGuard.refuse() stops counting requests in flight past staleAfterMs, up to 8 x maxInFlight", () => {
  const clock = new BusyClock();
  const guard = new OverloadGuard(clock, { maxInFlight: 2, staleAfterMs: 2000 });
  guard.enter();
  guard.enter();
  assertEquals(guard.refuse(message(1)), true);
  clock.time = 2600; // their responses were lost: they wait for Timer F, not for the CPU
  assertEquals([guard.inFlight, guard.recentInFlight], [2, 0]);
  assertEquals(guard.refuse(message(2)), false);
  for (let i = 0; i < 13; i++) guard.enter();
  clock.time = 5200;
  assertEquals([guard.inFlight, guard.recentInFlight], [15, 0]);
  assertEquals(guard.refuse(message(3)), false);
  guard.enter();
  clock.time = 7800;
  assertEquals([guard.inFlight, guard.recentInFlight], [16, 0]);
  assertEquals(guard.refuse(message(4)), true, "16 = 8 x maxInFlight in all");
});

Deno.test("OverloadGuard keeps no timer without maxLagMs and after close()", () => {
  const clock = new BusyClock();
  const quiet = new OverloadGuard(clock);
  for (let i = 0; i < 10; i++) assertEquals(quiet.refuse(message(i)), false);
  assertEquals(clock.timers.size, 0);
  const probing = new OverloadGuard(clock, { maxLagMs: 100 });
  probing.refuse(message(1));
  assertEquals(clock.timers.size, 1);
  probing.close();
  assertEquals(clock.timers.size, 0);
});

Deno.test("SipProxy answers 503 with Retry-After past its in-flight bound and takes requests again later", async () => {
  const f = fixture({ overload: { maxInFlight: 2, retryAfter: 7 } });
  f.receive(message(1), f.browser);
  f.receive(message(2), f.browser);
  await settle();
  const refused = f.receive(message(3), f.browser);
  assertEquals(refused.statuses, [503]);
  assertEquals(refused.responses[0].headers.get("Retry-After"), "7");
  assertEquals(f.proxy.counters.overloaded, 1);
  assertEquals(f.transactions.clients.length, 2, "the refused request was not forwarded");
  assertEquals(f.proxy.load.inFlight, 2);
  const first = f.transactions.clients[0];
  first.events.onResponse(answer(first.request, 200));
  assertEquals(f.proxy.load.inFlight, 1);
  const taken = f.receive(message(4), f.browser);
  await settle();
  assertEquals(taken.statuses, []);
  assertEquals(f.transactions.clients.length, 3);
  const last = f.transactions.last();
  last.events.onTimeout();
  assertEquals(taken.statuses, [408]);
  assertEquals(f.proxy.load.inFlight, 1);
  assert(f.proxy.counters.rejected >= 2);
});
