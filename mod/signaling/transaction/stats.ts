/**
 * Counters of the transaction layer.
 *
 * @module
 */

/** Counters since the layer started; gauges are read from the layer itself. */
export interface TransactionStats {
  /** Client transactions created. */
  clientCreated: number;
  /** Server transactions created. */
  serverCreated: number;
  /** Requests the transaction layer sent again on its own (Timers A, E). */
  requestRetransmissions: number;
  /** Responses sent again on its own or for a retransmitted request (Timer G, absorption). */
  responseRetransmissions: number;
  /** Retransmitted requests absorbed by a server transaction. */
  absorbedRequests: number;
  /** Retransmitted responses absorbed by a completed non-INVITE client transaction kept as
   * its key (Timer K over UDP). */
  absorbedResponses: number;
  /** Timers B, F, H that fired. */
  timeouts: number;
  /** Transport errors reported to the transaction user. */
  transportErrors: number;
  /** Responses matching no client transaction. */
  strayResponses: number;
  /** ACKs matching no INVITE server transaction (ACK for 2xx, late ACK). */
  strayAcks: number;
  /** Messages that could not be matched (no Via, no CSeq, unparseable Via) and were dropped. */
  unmatchable: number;
}

/** All counters at zero. */
export function emptyStats(): TransactionStats {
  return {
    clientCreated: 0,
    serverCreated: 0,
    requestRetransmissions: 0,
    responseRetransmissions: 0,
    absorbedRequests: 0,
    absorbedResponses: 0,
    timeouts: 0,
    transportErrors: 0,
    strayResponses: 0,
    strayAcks: 0,
    unmatchable: 0,
  };
}
