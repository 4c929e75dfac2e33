/** A transport that records what the transaction layer sends (no sockets). */

import type { SipMessage } from "../../../mod/signaling/message/message.ts";
import type { TransactionTransport } from "../../../mod/signaling/transaction/transaction_layer.ts";

export interface TestFlow {
  id: string;
  reliable: boolean;
}

export const UDP: TestFlow = { id: "udp-1", reliable: false };
export const TCP: TestFlow = { id: "tcp-1", reliable: true };

export class LoopTransport implements TransactionTransport {
  readonly sent: { message: SipMessage; target: TestFlow }[] = [];
  /** When set, send() fails this way. */
  fail: "throw" | "reject" | undefined;

  send(message: SipMessage, target: unknown): Promise<void> | void {
    this.sent.push({ message, target: target as TestFlow });
    if (this.fail === "throw") throw new Error("send failed");
    if (this.fail === "reject") return Promise.reject(new Error("send failed"));
  }

  isReliable(target: unknown): boolean {
    return (target as TestFlow).reliable;
  }

  /** Start lines of what was sent ("INVITE", "ACK", "100", "486"...). */
  get lines(): string[] {
    return this.sent.map(({ message }) =>
      message.kind === "request" ? message.method : String(message.status)
    );
  }
}
