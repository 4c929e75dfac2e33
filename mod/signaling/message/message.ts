/** SIP requests and responses (RFC 3261 7). */
import { Headers } from "./headers.ts";
import { REASON_PHRASES } from "./reasons.ts";
import { parseUri, type SipUri } from "./uri.ts";

/** Shared empty body (length 0, so it cannot be written to). */
const EMPTY = new Uint8Array(0);

/** A SIP request: `Method SP Request-URI SP SIP-Version CRLF` headers, body. */
export class SipRequest {
  readonly kind = "request";
  method: string;
  /** Request-URI as written (parse it with parseUri). */
  uri: string;
  version: string;
  headers: Headers;
  body: Uint8Array;
  #parsedUri: [string, SipUri] | undefined;

  constructor(
    method: string,
    uri: string,
    headers: Headers = new Headers(),
    body: Uint8Array = EMPTY,
  ) {
    this.method = method;
    this.uri = uri;
    this.version = "SIP/2.0";
    this.headers = headers;
    this.body = body;
  }

  /** The Request-URI parsed (cached while `uri` is unchanged); throws SipParseError. */
  requestUri(): SipUri {
    if (this.#parsedUri === undefined || this.#parsedUri[0] !== this.uri) {
      this.#parsedUri = [this.uri, parseUri(this.uri)];
    }
    return this.#parsedUri[1];
  }

  /**
   * A copy to forward (RFC 3261 16.6 step 1): headers as {@linkcode Headers.groupedCopy},
   * the body shared (never modified), the parsed Request-URI and typed views shared (read-
   * only) until changed.
   */
  copy(): SipRequest {
    const copy = new SipRequest(this.method, this.uri, this.headers.groupedCopy(), this.body);
    copy.version = this.version;
    copy.#parsedUri = this.#parsedUri;
    return copy;
  }
}

/** A SIP response: `SIP-Version SP Status-Code SP Reason-Phrase CRLF` headers, body. */
export class SipResponse {
  readonly kind = "response";
  status: number;
  reason: string;
  version: string;
  headers: Headers;
  body: Uint8Array;

  constructor(
    status: number,
    reason: string = REASON_PHRASES[status] ?? "",
    headers: Headers = new Headers(),
    body: Uint8Array = EMPTY,
  ) {
    this.status = status;
    this.reason = reason;
    this.version = "SIP/2.0";
    this.headers = headers;
    this.body = body;
  }
}

/** A request or a response; switch on `kind`. */
export type SipMessage = SipRequest | SipResponse;

export { parseMessage } from "./parse.ts";
export { serializeMessage } from "./serialize.ts";
export { createResponse, statelessErrorResponse } from "./response.ts";
export { SipParseError } from "./errors.ts";
