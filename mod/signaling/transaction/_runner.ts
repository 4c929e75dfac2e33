/**
 * Runs one pure state machine: the base class of the client and server transactions. It
 * queues events (callbacks may feed the same transaction while it is busy), owns the
 * transaction's timers on the injected clock and hands every other action to the
 * transaction's `perform`.
 *
 * Lean on purpose: a completed non-INVITE client transaction lives on for Timer K (5 s over
 * UDP), thousands of them under load, so the engine is the transaction object itself (no
 * runner object, no perform closure), timers are a short array (no Map) and an event that
 * arrives while the transaction is idle is handled at once (no queue entry).
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

/** Counts running timers across transactions (leak checks). */
export interface TimerCounter {
  started(): void;
  stopped(): void;
}

/** The `timer` event of each timer (one object per name, not one per firing). */
const TIMER_EVENTS: Partial<Record<TimerName, TransactionEvent>> = {};

function timerEvent(name: TimerName): TransactionEvent {
  return TIMER_EVENTS[name] ??= { type: "timer", name };
}

/** An event fed while the transaction was busy, with what came with it. */
interface Queued {
  readonly event: TransactionEvent;
  readonly message: SipMessage | undefined;
  readonly error: unknown;
}

/** Engine of one transaction; subclasses carry out the actions in `perform`. */
export abstract class TransactionRunner<S extends { readonly name: string }> {
  #state: S;
  readonly #step: TransitionFunction<S>;
  readonly #clock: Clock;
  readonly #counter: TimerCounter;
  /** Running timers as name, id pairs; undefined until the first one. */
  #timers: (TimerName | number)[] | undefined;
  /** Events fed while busy; undefined until the first one. */
  #queue: Queued[] | undefined;
  #running = false;
  /** Clock time the timer waited out without a timer (`waitsWithoutTimer`) is due. */
  #keptUntil: number | undefined;

  constructor(step: TransitionFunction<S>, clock: Clock, counter: TimerCounter, initial: S) {
    this.#step = step;
    this.#clock = clock;
    this.#counter = counter;
    this.#state = initial;
  }

  /** Carries out an action other than the timer ones; `message` and `error` came with the
   * event (the message received or handed over, the transport error). */
  protected abstract perform(
    action: TransactionAction,
    message: SipMessage | undefined,
    error: unknown,
  ): void;

  /**
   * Whether the subclass waits out timer `name` without a timer of its own (the layer keeps
   * what is left of it: see `ClientTransaction` and `ServerTransaction`); the timer's event then
   * never comes, and the transaction reads `terminated` once the timer is due (`waitOver`).
   */
  protected waitsWithoutTimer(_name: TimerName, _ms: number): boolean {
    return false;
  }

  /** The state machine's state. */
  protected get machineState(): S {
    return this.#state;
  }

  /** Whether a timer waited out without a timer (`waitsWithoutTimer`) is due. */
  protected get waitOver(): boolean {
    return this.#keptUntil !== undefined && this.#clock.now() >= this.#keptUntil;
  }

  /** Current state: the state machine's (calling, trying, proceeding, completed, confirmed,
   * accepted, terminated), `terminated` too once a timer waited out without a timer is due. */
  get state(): string {
    return this.waitOver ? "terminated" : this.#state.name;
  }

  /** Number of timers running. */
  get timerCount(): number {
    return this.#timers === undefined ? 0 : this.#timers.length / 2;
  }

  /** Carries out the actions of the start transition. */
  protected startMachine(start: Transition<S>, message: SipMessage | undefined): void {
    this.#state = start.state;
    this.#running = true;
    try {
      this.#apply(start.actions, message, undefined);
      this.#drain();
    } finally {
      this.#running = false;
    }
  }

  /** Feeds an event; processed now, or after the event being processed. */
  protected feed(event: TransactionEvent, message?: SipMessage, error?: unknown): void {
    if (this.#running) {
      (this.#queue ??= []).push({ event, message, error });
      return;
    }
    this.#running = true;
    try {
      const { state, actions } = this.#step(this.#state, event);
      this.#state = state;
      this.#apply(actions, message, error);
      this.#drain();
    } finally {
      this.#running = false;
    }
  }

  /** Clears every timer (termination, layer shutdown). */
  protected clearTimers(): void {
    const timers = this.#timers;
    if (timers === undefined) return;
    for (let i = 1; i < timers.length; i += 2) {
      this.#clock.clearTimeout(timers[i] as number);
      this.#counter.stopped();
    }
    timers.length = 0;
  }

  #drain(): void {
    const queue = this.#queue;
    if (queue === undefined) return;
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { state, actions } = this.#step(this.#state, item.event);
      this.#state = state;
      this.#apply(actions, item.message, item.error);
    }
  }

  #apply(
    actions: readonly TransactionAction[],
    message: SipMessage | undefined,
    error: unknown,
  ): void {
    for (const action of actions) {
      switch (action.type) {
        case "start-timer": {
          const name = action.name;
          this.#cancel(name);
          if (this.waitsWithoutTimer(name, action.ms)) {
            this.#keptUntil = this.#clock.now() + action.ms;
            break;
          }
          const id = this.#clock.setTimeout(() => this.#fire(name), action.ms);
          (this.#timers ??= []).push(name, id);
          this.#counter.started();
          break;
        }
        case "cancel-timer":
          this.#cancel(action.name);
          break;
        case "terminate":
          this.clearTimers();
          this.perform(action, message, error);
          break;
        default:
          this.perform(action, message, error);
      }
    }
  }

  /** Removes `name` from the running timers; its id, or undefined when it was not running. */
  #remove(name: TimerName): number | undefined {
    const timers = this.#timers;
    if (timers === undefined) return undefined;
    for (let i = 0; i < timers.length; i += 2) {
      if (timers[i] !== name) continue;
      const id = timers[i + 1] as number;
      timers.splice(i, 2);
      return id;
    }
    return undefined;
  }

  #cancel(name: TimerName): void {
    const id = this.#remove(name);
    if (id === undefined) return;
    this.#clock.clearTimeout(id);
    this.#counter.stopped();
  }

  #fire(name: TimerName): void {
    if (this.#remove(name) === undefined) return;
    this.#counter.stopped();
    this.feed(timerEvent(name));
  }
}
