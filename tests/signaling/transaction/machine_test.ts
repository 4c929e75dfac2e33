import fc from "fast-check";
import { assert, assertEquals } from "../../_assert.ts";
import {
  isFailure,
  isProvisional,
  isSuccess,
  type TransactionEvent,
  type Transition,
  type TransitionFunction,
} from "../../../mod/signaling/transaction/machine.ts";
import {
  inviteClientTransition,
  startInviteClient,
} from "../../../mod/signaling/transaction/invite_client.ts";
import {
  nonInviteClientTransition,
  startNonInviteClient,
} from "../../../mod/signaling/transaction/non_invite_client.ts";
import {
  inviteServerTransition,
  startInviteServer,
} from "../../../mod/signaling/transaction/invite_server.ts";
import {
  nonInviteServerTransition,
  startNonInviteServer,
} from "../../../mod/signaling/transaction/non_invite_server.ts";
import { computeTimers, type TimerValues } from "../../../mod/signaling/transaction/timers.ts";
import { MachineHarness } from "./_machine_harness.ts";

Deno.test("isProvisional() isSuccess() isFailure() split status classes", () => {
  assertEquals([100, 199, 200].map(isProvisional), [true, true, false]);
  assertEquals([199, 200, 299, 300].map(isSuccess), [false, true, true, false]);
  assertEquals([299, 300, 699, 700].map(isFailure), [false, true, true, false]);
});

type Step = { kind: "event"; event: TransactionEvent } | { kind: "advance"; ms: number };

const status = fc.oneof(
  fc.integer({ min: 100, max: 199 }),
  fc.integer({ min: 200, max: 299 }),
  fc.integer({ min: 300, max: 699 }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("event" as const),
    event: fc.oneof(
      status.map((s): TransactionEvent => ({ type: "response", status: s })),
      status.map((s): TransactionEvent => ({ type: "tu-response", status: s })),
      fc.constantFrom<TransactionEvent>(
        { type: "request" },
        { type: "ack" },
        { type: "transport-error" },
        { type: "cancel-sent" },
      ),
    ),
  }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 70_000 }) }),
);

interface Machine {
  name: string;
  harness(reliable: boolean): MachineHarness<{ name: string }>;
  /** Events a well-behaved peer or TU eventually delivers so the transaction can end. */
  closing: TransactionEvent[];
}

function machine<S extends { name: string }>(
  name: string,
  start: (timers: TimerValues) => Transition<S>,
  step: TransitionFunction<S>,
  closing: TransactionEvent[],
): Machine {
  return {
    name: `${step.name}() for ${name} transactions`,
    harness: (reliable) =>
      new MachineHarness(start(computeTimers(reliable)), step) as unknown as MachineHarness<
        { name: string }
      >,
    closing,
  };
}

const machines: Machine[] = [
  machine("INVITE client", startInviteClient, inviteClientTransition, [
    { type: "response", status: 487 },
  ]),
  machine("non-INVITE client", startNonInviteClient, nonInviteClientTransition, []),
  machine("INVITE server", startInviteServer, inviteServerTransition, [
    { type: "tu-response", status: 500 },
    { type: "ack" },
  ]),
  machine("non-INVITE server", startNonInviteServer, nonInviteServerTransition, [
    { type: "tu-response", status: 500 },
  ]),
];

for (const m of machines) {
  Deno.test(`${m.name} never throws and ends Terminated after every timer fires`, () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 30 }), (reliable, steps) => {
        const h = m.harness(reliable);
        let sendsAfterEnd = 0;
        for (const s of steps) {
          const ended = h.terminated;
          if (s.kind === "advance") h.advance(s.ms);
          else {
            const actions = h.feed(s.event);
            if (ended) sendsAfterEnd += actions.length;
            for (const a of actions) {
              if (a.type === "start-timer") assert(a.ms > 0, `timer ${a.name} with ${a.ms} ms`);
            }
          }
        }
        assertEquals(sendsAfterEnd, 0);
        for (const event of m.closing) h.feed(event);
        h.runAllTimers();
        assertEquals(h.state.name, "terminated");
        assertEquals(h.terminated, true);
        assertEquals(h.timers, []);
        // A terminated transaction ends exactly once.
        assertEquals(h.times("terminate").length, 1);
      }),
      { numRuns: 500 },
    );
  });
}
