/**
 * A JsSIP or SIP.js client in its own Deno process (`_client_main.ts`), for wss:// URLs whose
 * certificate comes from a test CA: Deno's trust store is fixed at start-up, so the child runs
 * with `--cert <caCert>`. Same operations as the in-process clients; sessions are string ids.
 *
 * @module
 */

import type { ClientAnswer, ClientCommand, ClientMainOptions } from "./_client_main.ts";
import { type ChildProcess, startProcess, tail, withTimeout } from "./_process.ts";

/** Options of {@linkcode startClientProcess}. */
export interface ClientProcessOptions extends ClientMainOptions {
  /** CA certificate the child trusts (`--cert`), for wss:// with test certificates. */
  caCert?: string;
  /** How long to wait for the child to start and connect. @default {30000} */
  startTimeoutMs?: number;
}

/** An incoming MESSAGE. */
export interface RemoteMessage {
  from: string;
  body: string;
  contentType?: string;
}

/** A SIP client in a child process. Every call is bounded by `timeoutMs` (+ a margin). */
export interface ClientProcess {
  readonly process: ChildProcess;
  register(): Promise<void>;
  unregister(): Promise<void>;
  sendMessage(target: string, body: string, contentType?: string): Promise<void>;
  nextMessage(): Promise<RemoteMessage>;
  /** Id of the next incoming call. */
  nextCall(): Promise<string>;
  answer(sessionId: string): Promise<void>;
  /** Id of the established call. */
  call(target: string): Promise<string>;
  hangup(sessionId: string): Promise<void>;
  ended(sessionId: string): Promise<void>;
  /** Stops the client (unregisters) and ends the process; removes its log. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const MAIN = new URL("./_client_main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Starts the child and resolves once its UA is connected to `wsUrl`. */
export async function startClientProcess(options: ClientProcessOptions): Promise<ClientProcess> {
  const { caCert, startTimeoutMs, ...mainOptions } = options;
  const args = ["run", "-A", "--quiet", "--config", CONFIG];
  if (caCert) args.push("--cert", caCert);
  args.push(MAIN, JSON.stringify(mainOptions));
  const process = startProcess(Deno.execPath(), args, {
    name: `${options.stack} client`,
    interactive: true,
    env: { NO_COLOR: "1" },
  });
  const writer = process.stdin!.getWriter();
  const pending = new Map<number, (answer: ClientAnswer) => void>();
  let nextId = 1;
  const encoder = new TextEncoder();

  // stdout: one JSON answer per line
  const reading = (async () => {
    let buffer = "";
    for await (const chunk of process.stdout!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith("{")) continue;
        const answer = JSON.parse(line) as ClientAnswer;
        pending.get(answer.id)?.(answer);
        pending.delete(answer.id);
      }
    }
    for (const resolve of pending.values()) {
      resolve({ id: -1, ok: false, error: "client process exited" });
    }
    pending.clear();
  })();

  function waitAnswer(id: number): Promise<ClientAnswer> {
    return new Promise((resolve) => pending.set(id, resolve));
  }

  const ms = (options.timeoutMs ?? 10_000) + 5_000;
  async function send(op: ClientCommand["op"], ...args: string[]): Promise<unknown> {
    const id = nextId++;
    const answered = waitAnswer(id);
    const command: ClientCommand = { id, op, args };
    await writer.write(encoder.encode(JSON.stringify(command) + "\n"));
    const answer = await withTimeout(`${options.stack} client ${op}`, answered, ms).finally(() =>
      pending.delete(id)
    );
    if (!answer.ok) throw new Error(`${options.stack} client ${op}: ${answer.error}`);
    return answer.value;
  }

  let stopped: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      if (!process.done) {
        await send("stop").catch(() => {});
        await writer.close().catch(() => {});
        await withTimeout("client process exit", process.exited, 5_000).catch(() => {});
      }
      await process.stop({ graceMs: 1000 });
      await reading.catch(() => {});
      await Deno.remove(process.logPath).catch(() => {});
    })();
    return stopped;
  }

  try {
    const ready = await withTimeout(
      `${options.stack} client start`,
      waitAnswer(0),
      startTimeoutMs ?? 30_000,
    );
    if (!ready.ok) throw new Error(ready.error);
  } catch (error) {
    const log = await process.log().catch(() => "");
    await stop();
    throw new Error(
      `${options.stack} client did not start: ${(error as Error).message}\n${tail(log)}`,
    );
  }

  return {
    process,
    register: async () => void await send("register"),
    unregister: async () => void await send("unregister"),
    sendMessage: async (target, body, contentType) =>
      void await send("sendMessage", target, body, ...(contentType ? [contentType] : [])),
    nextMessage: async () => await send("nextMessage") as RemoteMessage,
    nextCall: async () => await send("nextCall") as string,
    answer: async (id) => void await send("answer", id),
    call: async (target) => await send("call", target) as string,
    hangup: async (id) => void await send("hangup", id),
    ended: async (id) => void await send("ended", id),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
