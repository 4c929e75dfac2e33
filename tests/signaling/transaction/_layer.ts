/** A TransactionLayer on a fake clock and a loop transport, recording what it reports. */

import type { SipRequest, SipResponse } from "../../../mod/signaling/message/message.ts";
import type { ClientTransactionHandlers } from "../../../mod/signaling/transaction/client_transaction.ts";
import type { ServerTransaction } from "../../../mod/signaling/transaction/server_transaction.ts";
import { TransactionLayer } from "../../../mod/signaling/transaction/transaction_layer.ts";
import type { TransactionUser } from "../../../mod/signaling/transaction/transaction_user.ts";
import { FakeClock } from "../../_fake_clock.ts";
import { LoopTransport } from "./_loop_transport.ts";

export interface Recorder {
  events: string[];
  handlers: ClientTransactionHandlers;
}

/** Client handlers that log "response 180", "timeout", "transport-error", "terminated". */
export function recorder(): Recorder {
  const events: string[] = [];
  return {
    events,
    handlers: {
      onResponse: (r: SipResponse) => void events.push(`response ${r.status}`),
      onTimeout: () => void events.push("timeout"),
      onTransportError: (_tx, error) =>
        void events.push(`transport-error ${(error as Error).message}`),
      onTerminated: () => void events.push("terminated"),
    },
  };
}

export interface TestLayer {
  layer: TransactionLayer;
  clock: FakeClock;
  transport: LoopTransport;
  /** Server transactions created, in order. */
  servers: ServerTransaction[];
  /** The request of each of `servers` (a transaction lets go of it once it ends). */
  requests: SipRequest[];
  /** What the user saw: "request INVITE", "ack", "stray 200", "failure timeout"... */
  seen: string[];
  warnings: string[];
}

export function testLayer(
  user: Partial<TransactionUser> = {},
  options: { autoTrying?: boolean } = {},
): TestLayer {
  const clock = new FakeClock();
  const transport = new LoopTransport();
  const servers: ServerTransaction[] = [];
  const requests: SipRequest[] = [];
  const seen: string[] = [];
  const warnings: string[] = [];
  const layer = new TransactionLayer(transport, {
    onRequest(tx: ServerTransaction, request: SipRequest) {
      servers.push(tx);
      requests.push(request);
      seen.push(`request ${request.method}`);
      user.onRequest?.(tx, request);
    },
    onAck(ack, source, tx) {
      seen.push(tx ? "ack in transaction" : "ack");
      user.onAck?.(ack, source, tx);
    },
    onStrayResponse(response, source) {
      seen.push(`stray ${response.status}`);
      user.onStrayResponse?.(response, source);
    },
    onServerFailure(tx, reason, error) {
      seen.push(`failure ${reason}`);
      user.onServerFailure?.(tx, reason, error);
    },
  }, {
    clock,
    autoTrying: options.autoTrying,
    log: {
      debug() {},
      warn: (message) => void warnings.push(message),
    },
  });
  return { layer, clock, transport, servers, requests, seen, warnings };
}
