/**
 * SipParseError: what went wrong while reading a SIP message, with the status a stateless
 * responder should answer (RFC 3261 16.3, 8.2.2) and what could be read of the message.
 *
 * `status` 0 means "discard silently": used for responses (RFC 3261 18.1.2 / RFC 4475
 * 3.1.2.19), which are never answered.
 */

/** Reason phrases used for parse failures (RFC 3261 21). */
const PARSE_REASONS: Record<number, string> = {
  0: "Discard",
  400: "Bad Request",
  413: "Request Entity Too Large",
  416: "Unsupported URI Scheme",
  505: "Version Not Supported",
  513: "Message Too Large",
};

/** Options of {@linkcode SipParseError}. */
export interface SipParseErrorOptions {
  /** @default {400} */
  status?: number;
  /** @default the RFC 3261 phrase of `status` */
  reason?: string;
}

/** A SIP message or header could not be read; `status` says how to answer. */
export class SipParseError extends SyntaxError {
  /** Status to answer with: 400, 505, 513...; 0 = discard without answering. */
  status: number;
  /** Reason phrase matching `status`. */
  reason: string;
  /** Raw Via values that could be read (topmost first). */
  vias?: string[];
  /** Raw Call-ID value, when it could be read. */
  callId?: string;
  /** Raw From value, when it could be read. */
  from?: string;
  /** Raw To value, when it could be read. */
  to?: string;
  /** Raw CSeq value, when it could be read. */
  cseq?: string;
  /** True for a request, false for a response, undefined when the start line was unreadable. */
  isRequest?: boolean;

  constructor(message: string, options: SipParseErrorOptions = {}) {
    super(message);
    this.name = "SipParseError";
    this.status = options.status ?? 400;
    this.reason = options.reason ?? PARSE_REASONS[this.status] ?? "Bad Request";
  }

  /** True when the input must be dropped without any answer. */
  get discard(): boolean {
    return this.status === 0 || this.isRequest === false;
  }
}
