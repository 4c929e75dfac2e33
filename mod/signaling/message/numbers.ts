/** Numeric header values: Max-Forwards, Content-Length, Expires (RFC 3261 20.14, 20.19, 20.22). */
import { SipParseError } from "./errors.ts";

/** Largest value of a 32-bit unsigned SIP scalar (CSeq, Expires: RFC 3261 8.1.1.5, 20.19). */
export const MAX_UINT32 = 4294967295;

/**
 * Parses `1*DIGIT` (surrounding whitespace allowed, leading zeros allowed) not above `max`;
 * never overflows (RFC 4475 3.1.2.4).
 */
export function parseDigits(value: string, max: number, what: string): number {
  const text = value.trim();
  if (text === "") throw new SipParseError(`Cannot parse ${what}: value is missing`);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      throw new SipParseError(`Cannot parse ${what}: "${text.slice(0, 20)}" is not a number`);
    }
    n = n * 10 + (c - 48);
    if (n > max) throw new SipParseError(`Cannot parse ${what}: value is above ${max}`);
  }
  return n;
}

/** Max-Forwards: 0-255 (RFC 3261 20.22, RFC 4475 3.1.2.4). */
export function parseMaxForwards(value: string): number {
  return parseDigits(value, 255, "Max-Forwards header");
}

/** Content-Length: a non-negative integer (RFC 3261 20.14, RFC 4475 3.1.2.3). */
export function parseContentLength(value: string): number {
  return parseDigits(value, MAX_UINT32, "Content-Length header");
}

/** Expires header or contact param: 0 to 2^32-1 (RFC 3261 20.19). */
export function parseExpires(value: string): number {
  return parseDigits(value, MAX_UINT32, "Expires value");
}
