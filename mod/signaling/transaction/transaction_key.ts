/**
 * Keys that match messages to transactions (RFC 3261 17.1.3, 17.2.3).
 *
 * - Client side: the branch of the top Via and the CSeq method.
 * - Server side, RFC 3261 branch (magic cookie `z9hG4bK`): the branch, the sent-by of the top
 *   Via and the method, ACK counting as INVITE. CANCEL has its own key (its method).
 * - Server side, RFC 2543 peers (no magic cookie): Request-URI, To tag, From tag, Call-ID,
 *   CSeq number and top Via, plus the method (ACK counting as INVITE). An ACK is looked up
 *   with the INVITE's To tag, which is either the ACK's own tag (in-dialog INVITE) or none
 *   (the tag came with the response); the caller then checks the ACK's To tag against the
 *   response the transaction sent.
 *
 * @module
 */

import type { SipMessage, SipRequest } from "../message/message.ts";
import { getCSeq, getFrom, getTo } from "../message/views.ts";
import { parseVia, type Via } from "../message/via.ts";

/** The RFC 3261 branch prefix (RFC 3261 8.1.1.7). */
export const MAGIC_COOKIE = "z9hG4bK";

/** Thrown when a message lacks what transaction matching needs (Via, CSeq). */
export class TransactionKeyError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "TransactionKeyError";
  }
}

function topVia(message: SipMessage): string {
  const value = message.headers.get("via");
  if (value === undefined) {
    throw new TransactionKeyError("Cannot match transaction: Via is missing");
  }
  return value;
}

function cseqOf(message: SipMessage): { seq: number; method: string } {
  const cseq = getCSeq(message.headers); // parsed once, cached by the message layer
  if (cseq === undefined) {
    throw new TransactionKeyError("Cannot match transaction: CSeq is missing");
  }
  return cseq;
}

/**
 * The parsed top Via: the Headers' cached typed view (the parser's, shared with the layers
 * above), else the top value alone (matching needs only the top one; the parser does not
 * build a response's Vias, and a request built here has none cached).
 */
function parsedTopVia(message: SipMessage): Via {
  const vias = message.headers.cachedTyped("via", parseVia);
  if (vias !== undefined && vias.length > 0) return vias[0];
  return parseVia(topVia(message));
}

/** Branch of the top Via, undefined when absent. */
export function topBranch(message: SipMessage): string | undefined {
  return parsedTopVia(message).params.get("branch") ?? undefined;
}

/** Whether a branch was built by an RFC 3261 element. */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE) &&
    branch.length > MAGIC_COOKIE.length;
}

/**
 * Key of a client transaction: top Via branch and CSeq method (RFC 3261 17.1.3); pass
 * `branch` when {@linkcode topBranch} was read already.
 */
export function clientTransactionKey(
  message: SipMessage,
  branch: string | undefined = topBranch(message),
): string {
  if (branch === undefined) {
    throw new TransactionKeyError("Cannot match transaction: top Via has no branch");
  }
  return `c\n${branch}\n${cseqOf(message).method}`;
}

/** Tag parameter of a From or To header, "" when absent. */
export function tagOf(message: SipMessage, header: "from" | "to"): string {
  const value = header === "from" ? getFrom(message.headers) : getTo(message.headers);
  return value?.params.get("tag") ?? "";
}

/**
 * Key of the server transaction a request belongs to (RFC 3261 17.2.3). `method` overrides
 * the request's method: pass "INVITE" to find the INVITE a CANCEL refers to (RFC 3261 9.2).
 * For an RFC 2543 ACK, `toTag` chooses the INVITE's To tag to look up.
 */
export function serverTransactionKey(
  request: SipRequest,
  options: { method?: string; toTag?: string } = {},
): string {
  const via = parsedTopVia(request);
  const requestMethod = options.method ?? request.method;
  const method = requestMethod === "ACK" ? "INVITE" : requestMethod;
  const branch = via.params.get("branch") ?? undefined;
  if (isRfc3261Branch(branch)) {
    const sentBy = `${via.host.toLowerCase()}:${via.port ?? ""}`;
    return `s\n${branch}\n${sentBy}\n${method}`;
  }
  const { seq } = cseqOf(request);
  const callId = request.headers.get("call-id") ?? "";
  const toTag = options.toTag ?? tagOf(request, "to");
  return [
    "2543",
    request.uri,
    toTag,
    tagOf(request, "from"),
    callId,
    seq,
    topVia(request).replace(/\s+/g, ""),
    method,
  ].join("\n");
}
