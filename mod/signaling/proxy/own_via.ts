/**
 * The gateway's own Via (RFC 3261 16.6 step 8) and loop detection (16.3 step 4).
 *
 * Branches look like `z9hG4bK` `w2s` RANDOM `.` LOOPKEY: the magic cookie (RFC 3261 8.1.1.7),
 * our marker, 12 random base64url characters (72 bits from the pooled CSPRNG of
 * `message/random_id.ts`: unique, and unguessable so that an off-path attacker cannot forge a
 * response for a transaction of ours over UDP; no runtime call per request), and a
 * non-cryptographic hash of the fields that decide where a request goes (Request-URI, Route
 * set, Proxy-Require, Proxy-Authorization, From tag, To tag, Call-ID, CSeq number) of the
 * request as it leaves the gateway (after route processing). A request that comes back with
 * one of our Vias whose loop key equals the key of the request as it is now is a loop (482);
 * a different key is a spiral and goes on.
 *
 * @module
 */

import {
  getFrom,
  getTo,
  getVias,
  type Headers,
  parseVia,
  randomBase64url,
  type SipRequest,
  type SipResponse,
  type Via,
} from "../message/mod.ts";
import { type LocalAddresses, uriHost } from "./local_addresses.ts";
import type { Endpoint, TransportProtocol } from "../transport/transport.ts";

/** RFC 3261 8.1.1.7 magic cookie followed by this gateway's marker. */
export const OWN_BRANCH_PREFIX = "z9hG4bKw2s";

/** Hash of the fields of `request` that decide its routing (RFC 3261 16.6 step 8). */
export function loopKey(request: SipRequest): string {
  const h = request.headers;
  const parts = [
    request.uri,
    h.getAll("Route").join(","),
    h.getAll("Proxy-Require").join(","),
    h.getAll("Proxy-Authorization").join(","),
    tagOf(h, "From"),
    tagOf(h, "To"),
    h.get("Call-ID") ?? "",
    firstWord((h.get("CSeq") ?? "").trim()),
  ];
  return hash64(parts.join("\n"));
}

/** `text` up to its first whitespace (the CSeq number). */
function firstWord(text: string): string {
  const end = text.search(/\s/);
  return end < 0 ? text : text.slice(0, end);
}

/** Two independent 32-bit FNV-1a hashes of `text`, as 16 hexadecimal digits. Loop detection
 * only compares keys of the same request: no cryptographic strength needed. */
function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Random base64url characters of a branch (72 bits). */
const BRANCH_RANDOM_LENGTH = 12;

/** A fresh branch carrying `key` (see the module documentation). */
export function newBranch(key: string): string {
  return `${OWN_BRANCH_PREFIX}${randomBase64url(BRANCH_RANDOM_LENGTH)}.${key}`;
}

/** Pushes the gateway's Via on top of `request` with the given sent-by and branch. */
export function addOwnVia(
  request: SipRequest,
  protocol: TransportProtocol,
  sentBy: Endpoint,
  branch: string,
): void {
  // formatVia() of { SIP/2.0, protocol, sent-by, branch, rport }, without the Via object
  const via = `SIP/2.0/${protocol.toUpperCase()} ${uriHost(sentBy.host)}:${sentBy.port}` +
    `;branch=${branch};rport`;
  request.headers.prepend("Via", via);
}

/** Whether a Via value was written by this gateway (our branch marker and one of our addresses). */
export function isOwnVia(value: string, local: LocalAddresses): boolean {
  let via;
  try {
    via = parseVia(value);
  } catch {
    return false;
  }
  return isOwn(via, local);
}

function isOwn(via: Via, local: LocalAddresses): boolean {
  const branch = via.params.get("branch");
  if (branch == null || !branch.startsWith(OWN_BRANCH_PREFIX)) return false;
  return local.isLocal(via.host, via.port, "sip", via.transport);
}

/** True when `request` already passed here with the same routing fields: 482 Loop Detected. */
export function isLoop(request: SipRequest, local: LocalAddresses): boolean {
  let vias: Via[];
  try {
    vias = getVias(request.headers); // validated and cached by the parser
  } catch {
    return false;
  }
  let key: string | undefined;
  for (const via of vias) {
    if (!isOwn(via, local)) continue;
    const branch = via.params.get("branch") ?? "";
    key ??= loopKey(request);
    if (branch.slice(branch.lastIndexOf(".") + 1) === key) return true;
  }
  return false;
}

/**
 * Removes the topmost Via of a response when it is ours (RFC 3261 16.7 step 3). Returns
 * false, leaving the response untouched, when the top Via is not ours: such a response is
 * not for us and is dropped.
 */
export function popOwnVia(response: SipResponse, local: LocalAddresses): boolean {
  const top = response.headers.get("Via");
  if (top === undefined || !isOwnVia(top, local)) return false;
  response.headers.removeFirst("Via");
  return true;
}

/** Tag of From or To: the message layer's cached view (else the raw value when unparseable). */
function tagOf(h: Headers, name: "From" | "To"): string {
  try {
    const value = name === "From" ? getFrom(h) : getTo(h);
    return value?.params.get("tag") ?? "";
  } catch {
    return h.get(name) ?? "";
  }
}
