/**
 * Drives a pure transaction state machine in virtual time: carries out `start-timer`,
 * `cancel-timer` and `terminate`, records every other action with the time it happened.
 */

import type {
  TransactionAction,
  TransactionEvent,
  Transition,
  TransitionFunction,
} from "../../../mod/signaling/transaction/machine.ts";
import type { TimerName } from "../../../mod/signaling/transaction/timers.ts";

/**
 * When a message retransmitted over UDP from T1 (500 ms), the interval doubling up to T2
 * (4 s), is sent until the 64*T1 (32 s) timeout: Timer E of a non-INVITE client
 * (RFC 3261 17.1.2.2), Timer G of an INVITE server's 300-699 response (17.2.1).
 */
export const T2_CAPPED_SEND_TIMES: readonly number[] = [
  0,
  500,
  1500,
  3500,
  7500,
  11500,
  15500,
  19500,
  23500,
  27500,
  31500,
];

export interface Recorded {
  at: number;
  action: TransactionAction;
}

export class MachineHarness<S extends { name: string }> {
  #state: S;
  #step: TransitionFunction<S>;
  #timers = new Map<TimerName, number>();
  #now = 0;
  readonly log: Recorded[] = [];
  terminated = false;

  constructor(start: Transition<S>, step: TransitionFunction<S>) {
    this.#state = start.state;
    this.#step = step;
    this.#apply(start.actions);
  }

  get state(): S {
    return this.#state;
  }

  get now(): number {
    return this.#now;
  }

  /** Names of running timers, sorted. */
  get timers(): TimerName[] {
    return [...this.#timers.keys()].sort();
  }

  /** Due time of a running timer. */
  due(name: TimerName): number | undefined {
    return this.#timers.get(name);
  }

  feed(event: TransactionEvent): readonly TransactionAction[] {
    const { state, actions } = this.#step(this.#state, event);
    this.#state = state;
    this.#apply(actions);
    return actions;
  }

  /** Advances virtual time, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const next = this.#nextTimer();
      if (!next || next[1] > end) break;
      this.#timers.delete(next[0]);
      this.#now = next[1];
      this.feed({ type: "timer", name: next[0] });
    }
    this.#now = end;
  }

  /** Fires every timer until none is left (bounded). */
  runAllTimers(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = this.#nextTimer();
      if (!next) return;
      this.advance(next[1] - this.#now);
    }
    throw new Error("Timers never stopped");
  }

  /** Times at which an action of this type happened. */
  times(type: TransactionAction["type"]): number[] {
    return this.log.filter((r) => r.action.type === type).map((r) => r.at);
  }

  types(): string[] {
    return this.log.map((r) => r.action.type);
  }

  #nextTimer(): [TimerName, number] | undefined {
    let best: [TimerName, number] | undefined;
    for (const entry of this.#timers) {
      if (!best || entry[1] < best[1]) best = entry;
    }
    return best;
  }

  #apply(actions: readonly TransactionAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case "start-timer":
          this.#timers.set(action.name, this.#now + action.ms);
          break;
        case "cancel-timer":
          this.#timers.delete(action.name);
          break;
        case "terminate":
          this.#timers.clear();
          this.terminated = true;
          this.log.push({ at: this.#now, action });
          break;
        default:
          this.log.push({ at: this.#now, action });
      }
    }
  }
}
