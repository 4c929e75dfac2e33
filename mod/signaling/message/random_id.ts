/**
 * Unpredictable identifiers at the cost of a table lookup: Via branches, To tags, DNS query
 * ids. An identifier an off-path attacker can guess lets them forge a response for another
 * transaction over UDP (RFC 3261 8.1.1.7, 19.3; RFC 5452 for DNS), so every one of them comes
 * from the system CSPRNG (`crypto.getRandomValues`). The bytes are drawn 4 KiB at a time into
 * one pool, each byte used once: one runtime call per ~340 branches instead of one per
 * request.
 *
 * This module is the only place of the signaling layers that draws random bytes per message;
 * the layers above import it through `message/mod.ts`.
 *
 * @module
 */

/** Bytes drawn from the CSPRNG at a time (`crypto.getRandomValues` takes at most 65,536). */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
/** Next unused byte of `pool`; POOL_SIZE means empty. */
let next = POOL_SIZE;

/** RFC 4648 5 alphabet: 64 symbols, so `byte & 63` is uniform. */
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Two lowercase hexadecimal digits per byte value. */
const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => b.toString(16).padStart(2, "0"),
);

/** Offset of `count` fresh bytes in `pool`, refilling it when fewer are left. */
function take(count: number): number {
  if (next + count > POOL_SIZE) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  const at = next;
  next += count;
  return at;
}

/**
 * `length` random base64url characters (RFC 4648 5), 6 bits of entropy each: token-safe in
 * SIP (RFC 3261 25.1) and in URIs. At most 64 characters.
 */
export function randomBase64url(length: number): string {
  if (!Number.isInteger(length) || length < 0 || length > 64) {
    throw new RangeError(`Cannot draw random characters: length ${length} is not in 0..64`);
  }
  const at = take(length);
  let s = "";
  for (let i = at; i < at + length; i++) s += BASE64URL[pool[i] & 63];
  return s;
}

/** `bytes` random bytes as 2 * `bytes` lowercase hexadecimal digits. At most 32 bytes. */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > 32) {
    throw new RangeError(`Cannot draw random bytes: count ${bytes} is not in 0..32`);
  }
  const at = take(bytes);
  let s = "";
  for (let i = at; i < at + bytes; i++) s += HEX[pool[i]];
  return s;
}

/** A random integer in 0..65535 (a DNS query id, RFC 5452 4.3). */
export function randomUint16(): number {
  const at = take(2);
  return (pool[at] << 8) | pool[at + 1];
}
