/**
 * Runs one pure state machine: queues events (callbacks may feed the same transaction while
 * it is busy), owns the transaction's timers on the injected clock and hands every other
 * action to the transaction object.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type {
  TransactionAction,
  TransactionEvent,
  Transition,
  TransitionFunction,
} from "./machine.ts";
import type { TimerName } from "./timers.ts";
import type { SipMessage } from "../message/message.ts";

/** What came with an event: the message received or handed over, the transport error. */
export interface EventContext {
  readonly message?: SipMessage;
  readonly error?: unknown;
}

const NO_CONTEXT: EventContext = {};

/** Counts running timers across transactions (leak checks). */
export interface TimerCounter {
  started(): void;
  stopped(): void;
}

/** Carries out the actions the runner does not handle itself. */
export type Performer = (action: TransactionAction, context: EventContext) => void;

/** Engine of one transaction. */
export class TransactionRunner<S extends { readonly name: string }> {
  #state: S;
  #step: TransitionFunction<S>;
  #clock: Clock;
  #counter: TimerCounter;
  #perform: Performer;
  #timers = new Map<TimerName, number>();
  #queue: { event: TransactionEvent; context: EventContext }[] = [];
  #running = false;

  constructor(
    step: TransitionFunction<S>,
    clock: Clock,
    counter: TimerCounter,
    perform: Performer,
    initial: S,
  ) {
    this.#step = step;
    this.#clock = clock;
    this.#counter = counter;
    this.#perform = perform;
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  /** Number of timers running. */
  get timerCount(): number {
    return this.#timers.size;
  }

  /** Carries out the actions of the start transition. */
  start(start: Transition<S>, context: EventContext): void {
    this.#state = start.state;
    this.#run(() => this.#apply(start.actions, context));
  }

  /** Feeds an event; processed now, or after the event being processed. */
  feed(event: TransactionEvent, context: EventContext): void {
    this.#queue.push({ event, context });
    if (!this.#running) this.#run(() => {});
  }

  /** Clears every timer (termination, layer shutdown). */
  clearTimers(): void {
    for (const id of this.#timers.values()) {
      this.#clock.clearTimeout(id);
      this.#counter.stopped();
    }
    this.#timers.clear();
  }

  #run(first: () => void): void {
    this.#running = true;
    try {
      first();
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        const { state, actions } = this.#step(this.#state, item.event);
        this.#state = state;
        this.#apply(actions, item.context);
      }
    } finally {
      this.#running = false;
    }
  }

  #apply(actions: readonly TransactionAction[], context: EventContext): void {
    for (const action of actions) {
      switch (action.type) {
        case "start-timer":
          this.#cancel(action.name);
          this.#timers.set(
            action.name,
            this.#clock.setTimeout(() => this.#fire(action.name), action.ms),
          );
          this.#counter.started();
          break;
        case "cancel-timer":
          this.#cancel(action.name);
          break;
        case "terminate":
          this.clearTimers();
          this.#perform(action, context);
          break;
        default:
          this.#perform(action, context);
      }
    }
  }

  #cancel(name: TimerName): void {
    const id = this.#timers.get(name);
    if (id === undefined) return;
    this.#clock.clearTimeout(id);
    this.#timers.delete(name);
    this.#counter.stopped();
  }

  #fire(name: TimerName): void {
    if (!this.#timers.delete(name)) return;
    this.#counter.stopped();
    this.feed({ type: "timer", name }, NO_CONTEXT);
  }
}
