/**
 * Entry point of a JsSIP or SIP.js client running in its own Deno process, so that it can
 * trust a test CA (`deno run --cert ca.pem`) for wss://. Driven by `_client_process.ts`:
 * options as JSON in the first argument; commands as JSON lines on stdin
 * (`{ "id": 1, "op": "register", "args": [] }`), one JSON line per answer on stdout
 * (`{ "id": 1, "ok": true, "value": ... }`). Sessions travel as string ids. Exits on "stop" or
 * when stdin closes.
 *
 * @module
 */

import { createJsSipClient, type JsSipSession } from "./_jssip.ts";
import { createSipJsClient } from "./_sipjs.ts";
import type { Session } from "sip.js";

/** Options passed as JSON in the first argument. */
export interface ClientMainOptions {
  stack: "jssip" | "sipjs";
  wsUrl: string;
  uri: string;
  password?: string;
  ha1?: string;
  realm?: string;
  timeoutMs?: number;
}

/** One command line on stdin. */
export interface ClientCommand {
  id: number;
  op:
    | "register"
    | "unregister"
    | "sendMessage"
    | "nextMessage"
    | "nextCall"
    | "answer"
    | "call"
    | "hangup"
    | "ended"
    | "stop";
  args: string[];
}

/** One answer line on stdout. */
export type ClientAnswer = { id: number; ok: true; value?: unknown } | {
  id: number;
  ok: false;
  error: string;
};

interface Driver {
  register(): Promise<void>;
  unregister(): Promise<void>;
  sendMessage(target: string, body: string, contentType?: string): Promise<void>;
  nextMessage(): Promise<unknown>;
  nextCall(): Promise<string>;
  answer(id: string): Promise<void>;
  call(target: string): Promise<string>;
  hangup(id: string): Promise<void>;
  ended(id: string): Promise<void>;
  stop(): Promise<void>;
}

function sessionStore<T>() {
  const sessions = new Map<string, T>();
  let next = 0;
  return {
    add(session: T): string {
      const id = `s${++next}`;
      sessions.set(id, session);
      return id;
    },
    get(id: string): T {
      const session = sessions.get(id);
      if (!session) throw new Error(`Unknown session ${id}`);
      return session;
    },
  };
}

/** What the driver uses of a client whose sessions are of type `S` (JsSIP's or SIP.js's). */
interface StackClient<S> {
  register(): Promise<void>;
  unregister(): Promise<void>;
  sendMessage(target: string, body: string, contentType?: string): Promise<void>;
  nextMessage(): Promise<unknown>;
  nextCall(): Promise<S>;
  answer(session: S): Promise<void>;
  call(target: string): Promise<S>;
  hangup(session: S): Promise<void>;
  ended(session: S): Promise<unknown>;
  stop(): Promise<void>;
}

/** `client` with its sessions as string ids. */
function driverOf<S>(client: StackClient<S>): Driver {
  const store = sessionStore<S>();
  return {
    register: () => client.register(),
    unregister: () => client.unregister(),
    sendMessage: (target, body, type) => client.sendMessage(target, body, type),
    nextMessage: () => client.nextMessage(),
    nextCall: async () => store.add(await client.nextCall()),
    answer: (id) => client.answer(store.get(id)),
    call: async (target) => store.add(await client.call(target)),
    hangup: (id) => client.hangup(store.get(id)),
    ended: async (id) => {
      await client.ended(store.get(id));
    },
    stop: () => client.stop(),
  };
}

async function startDriver(options: ClientMainOptions): Promise<Driver> {
  if (options.stack === "jssip") return driverOf<JsSipSession>(await createJsSipClient(options));
  return driverOf<Session>(await createSipJsClient(options));
}

const encoder = new TextEncoder();

async function write(answer: ClientAnswer): Promise<void> {
  await Deno.stdout.write(encoder.encode(JSON.stringify(answer) + "\n"));
}

async function main(): Promise<void> {
  const options = JSON.parse(Deno.args[0]) as ClientMainOptions;
  let driver: Driver;
  try {
    driver = await startDriver(options);
  } catch (error) {
    await write({ id: 0, ok: false, error: String((error as Error).message ?? error) });
    Deno.exit(1);
  }
  await write({ id: 0, ok: true, value: "ready" });
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let buffer = "";
  for await (const chunk of lines) {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      const command = JSON.parse(line) as ClientCommand;
      if (command.op === "stop") {
        await write(await run(driver, command));
        return;
      }
      // commands run concurrently (nextCall waits while another command proceeds)
      run(driver, command).then(write);
    }
  }
  await driver.stop();
}

async function run(driver: Driver, command: ClientCommand): Promise<ClientAnswer> {
  try {
    const fn = driver[command.op] as (...args: string[]) => Promise<unknown>;
    if (typeof fn !== "function") throw new Error(`Unknown op ${command.op}`);
    const value = await fn(...command.args);
    return { id: command.id, ok: true, value };
  } catch (error) {
    return { id: command.id, ok: false, error: String((error as Error).message ?? error) };
  }
}

if (import.meta.main) {
  await main();
  // stop answered; let stdout drain, then leave even if the SIP stack keeps timers
  setTimeout(() => Deno.exit(0), 100);
}
