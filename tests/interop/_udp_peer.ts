/**
 * A bare SIP-over-UDP peer for tests that need exact control of the bytes (a REGISTER with a
 * Path, an INVITE to an AoR): send text, receive text, bounded waits.
 *
 * @module
 */

import { withTimeout } from "./_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One UDP socket on 127.0.0.1 speaking SIP as plain text. */
export class UdpSipPeer {
  #socket: Deno.DatagramConn;
  #queue: { text: string; from: Deno.NetAddr }[] = [];
  #waiters: (() => void)[] = [];
  #closed = false;
  #reading: Promise<void>;
  /** Local port. */
  readonly port: number;

  constructor(port = 0) {
    this.#socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
    this.port = (this.#socket.addr as Deno.NetAddr).port;
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const [data, from] = await this.#socket.receive();
        this.#queue.push({ text: decoder.decode(data), from: from as Deno.NetAddr });
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      // closed
    }
  }

  /** Sends `text` (lines joined with CRLF by the caller or here when given as an array). */
  async send(message: string | string[], to: { host: string; port: number }): Promise<void> {
    const text = Array.isArray(message) ? message.join("\r\n") : message;
    await this.#socket.send(encoder.encode(text), {
      transport: "udp",
      hostname: to.host,
      port: to.port,
    });
  }

  /**
   * The next received datagram for which `accept` is true (others stay queued), within
   * `timeoutMs` (default 5000).
   */
  receive(
    accept: (text: string) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<{ text: string; from: Deno.NetAddr }> {
    const take = () => {
      const index = this.#queue.findIndex((m) => accept(m.text));
      return index >= 0 ? this.#queue.splice(index, 1)[0] : undefined;
    };
    let done = false;
    const waiting = new Promise<{ text: string; from: Deno.NetAddr }>((resolve) => {
      const check = () => {
        if (done) return; // timed out: leave the datagrams to the next receive()
        const message = take();
        if (message) {
          done = true;
          resolve(message);
        } else if (!this.#closed) this.#waiters.push(check);
      };
      check();
    });
    return withTimeout("a SIP datagram", waiting, timeoutMs).finally(() => {
      done = true;
    });
  }

  /** Sends a request and returns the first final (>= 200) response with its Call-ID. */
  async request(
    message: string | string[],
    to: { host: string; port: number },
    timeoutMs = 5000,
  ): Promise<string> {
    const text = Array.isArray(message) ? message.join("\r\n") : message;
    const callId = text.match(/^Call-ID:\s*(.+)$/im)?.[1].trim();
    await this.send(text, to);
    const final = await this.receive(
      (t) => /^SIP\/2\.0 [2-6]\d\d /.test(t) && (!callId || t.includes(callId)),
      timeoutMs,
    );
    return final.text;
  }

  /** Closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    await this.#reading;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The status code of a response's status line. */
export function statusOf(response: string): number {
  const match = response.match(/^SIP\/2\.0 (\d{3}) /);
  if (!match) throw new Error(`Not a SIP response: ${response.slice(0, 80)}`);
  return Number(match[1]);
}
