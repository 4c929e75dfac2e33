/**
 * The main isolate's side of signaling instances 1..N-1: one Web Worker each
 * (mod/instance_worker.ts), started with its index and the configuration, asked for its
 * counters, closed on demand. The Worker inherits the process's permissions.
 *
 * @module
 */

import type { Logger } from "./log.ts";
import type { SerializedConfig } from "./instance_config.ts";

/** A transport an instance listens on, as reported by its Worker. */
export interface InstanceTransport {
  protocol: string;
  host: string;
  port: number;
}

/** Main isolate -> instance Worker. */
export type ToInstance =
  | { type: "start"; index: number; instanceId: string; config: SerializedConfig }
  | { type: "stats"; id: number }
  | { type: "close" };

/** Instance Worker -> main isolate. */
export type FromInstance =
  | { type: "listening"; transports: InstanceTransport[] }
  | { type: "error"; message: string }
  | { type: "stats"; id: number; stats: Record<string, unknown> }
  | { type: "closed" };

/** Options of {@linkcode startInstanceWorker}. */
export interface InstanceWorkerOptions {
  /** Worker module. @default {mod/instance_worker.ts} */
  url?: URL;
  /** Time a Worker has to close its sockets before it is terminated.
   * @default {5000} */
  closeTimeoutMs?: number;
}

const WORKER_URL = new URL("./instance_worker.ts", import.meta.url);

/** One running instance in a Worker. */
export class InstanceWorker {
  readonly index: number;
  readonly transports: readonly InstanceTransport[];
  readonly #worker: Worker;
  readonly #log: Logger;
  readonly #closeTimeoutMs: number;
  readonly #pendingStats = new Map<number, (stats: Record<string, unknown>) => void>();
  #nextId = 1;
  #closed: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(
    index: number,
    worker: Worker,
    transports: InstanceTransport[],
    log: Logger,
    closeTimeoutMs: number,
  ) {
    this.index = index;
    this.#worker = worker;
    this.transports = transports;
    this.#log = log;
    this.#closeTimeoutMs = closeTimeoutMs;
    worker.onmessage = (event: MessageEvent<FromInstance>) => this.#receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#log.error("Signaling instance failed", { instance: index, error: event.message });
    };
  }

  /** The counters of the instance's layers, asked fresh. */
  stats(): Promise<Record<string, unknown>> {
    if (this.#closing) return Promise.resolve({ closed: true });
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<Record<string, unknown>>();
    this.#pendingStats.set(id, resolve);
    this.#post({ type: "stats", id });
    return promise;
  }

  /** Closes the instance's gateway, then terminates the Worker (after a timeout at most). */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#closed = resolve;
    this.#post({ type: "close" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((done) => {
      timer = setTimeout(() => {
        this.#log.warn("Signaling instance did not close in time; terminated", {
          instance: this.index,
        });
        done();
      }, this.#closeTimeoutMs);
    });
    await Promise.race([promise, timeout]);
    clearTimeout(timer);
    this.#worker.terminate();
    for (const resolvePending of this.#pendingStats.values()) resolvePending({ closed: true });
    this.#pendingStats.clear();
  }

  #post(message: ToInstance): void {
    this.#worker.postMessage(message);
  }

  #receive(message: FromInstance): void {
    if (message.type === "stats") {
      this.#pendingStats.get(message.id)?.(message.stats);
      this.#pendingStats.delete(message.id);
    } else if (message.type === "closed") {
      this.#closed?.();
    }
  }
}

/** Starts instance `index` in a new Worker; resolves once all its transports listen. */
export function startInstanceWorker(
  start: Omit<Extract<ToInstance, { type: "start" }>, "type">,
  log: Logger,
  options: InstanceWorkerOptions = {},
): Promise<InstanceWorker> {
  const worker = new Worker(options.url ?? WORKER_URL, { type: "module" });
  const { promise, resolve, reject } = Promise.withResolvers<InstanceWorker>();
  worker.onmessage = (event: MessageEvent<FromInstance>) => {
    const message = event.data;
    if (message.type === "listening") {
      resolve(
        new InstanceWorker(
          start.index,
          worker,
          message.transports,
          log,
          options.closeTimeoutMs ?? 5000,
        ),
      );
    } else if (message.type === "error") {
      worker.terminate();
      reject(new Error(`Cannot start signaling instance ${start.index}: ${message.message}`));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    worker.terminate();
    reject(new Error(`Cannot start signaling instance ${start.index}: ${event.message}`));
  };
  worker.postMessage({ type: "start", ...start } satisfies ToInstance);
  return promise;
}
