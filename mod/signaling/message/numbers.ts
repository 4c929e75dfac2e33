/** Numeric header values: Max-Forwards, Content-Length, Expires (RFC 3261 20.14, 20.19, 20.22). */
import { parseDigits } from "./_scan.ts";

/** Largest value of a 32-bit unsigned SIP scalar (CSeq, Expires: RFC 3261 8.1.1.5, 20.19). */
export const MAX_UINT32 = 4294967295;

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
