/** Low-level scanning helpers shared by the header parsers (RFC 3261 25.1). */
import { SipParseError } from "./errors.ts";

function table(chars: string, alnum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 48; c <= 57; c++) t[c] = 1;
    for (let c = 65; c <= 90; c++) t[c] = 1;
    for (let c = 97; c <= 122; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** token chars: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" (RFC 3261 25.1). */
export const TOKEN = table("-.!%*_+`'~");
/** word chars (Call-ID): token plus ( ) < > : \ " / [ ] ? { } (RFC 3261 25.1). */
export const WORD = table("-.!%*_+`'~()<>:\\\"/[]?{}");

/** True when `text` is a non-empty run of token chars. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}

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

/** Index after the run of token chars starting at `i`. */
export function readToken(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) break;
    i++;
  }
  return i;
}

/** Removes SP, HTAB, CR and LF at both ends (not U+FEFF and other Unicode spaces). */
export function trimLws(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b) {
    const c = text.charCodeAt(a);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    a++;
  }
  while (b > a) {
    const c = text.charCodeAt(b - 1);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    b--;
  }
  return a === 0 && b === text.length ? text : text.slice(a, b);
}

/** True for SP and HTAB. */
export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/** Index of the first non-whitespace char (SP, HTAB, CR, LF) at or after `i`. */
export function skipLws(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}

/**
 * Reads a quoted-string starting at `text[i] === '"'`; returns the unescaped content and the
 * index after the closing quote. Throws when the closing quote is missing.
 */
export function readQuoted(text: string, i: number, what: string): [string, number] {
  let out = "";
  let from = i + 1;
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) {
      if (j + 1 >= text.length) break;
      out += text.slice(from, j);
      from = j + 1;
      j++;
    } else if (c === 34 /* " */) {
      return [out + text.slice(from, j), j + 1];
    }
  }
  throw new SipParseError(`Cannot parse ${what}: unterminated quoted string`);
}

/**
 * Splits a list header value on commas outside quoted strings and <>; values are trimmed.
 * An empty or blank value gives no element; empty elements between commas are kept ("") so
 * that validation can reject them.
 */
export function splitList(value: string): string[] {
  if (value.indexOf(",") < 0) {
    const v = trimLws(value);
    return v === "" ? [] : [v];
  }
  const out: string[] = [];
  let from = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60) inAngle = true;
    else if (c === 62) inAngle = false;
    else if (c === 44 && !inAngle) {
      out.push(trimLws(value.slice(from, i)));
      from = i + 1;
    }
  }
  out.push(trimLws(value.slice(from)));
  if (out.length === 1 && out[0] === "") return [];
  return out;
}

/**
 * Parses `*( LWS ";" LWS name [ LWS "=" LWS value ] )` from `text[i]` to the end. Names are
 * lower-cased, values kept as written (quoted values keep their quotes). Throws on an empty
 * parameter (RFC 4475 3.1.2.1) or on anything that is not a parameter.
 */
export function parseParams(
  text: string,
  i: number,
  params: Map<string, string | null>,
  what: string,
): void {
  const n = text.length;
  i = skipLws(text, i);
  while (i < n) {
    if (text.charCodeAt(i) !== 59 /* ; */) {
      throw new SipParseError(`Cannot parse ${what}: unexpected "${text[i]}" in parameters`);
    }
    i = skipLws(text, i + 1);
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c > 127 || TOKEN[c] === 0) break;
      i++;
    }
    if (i === start) throw new SipParseError(`Cannot parse ${what}: empty parameter`);
    const name = text.slice(start, i).toLowerCase();
    i = skipLws(text, i);
    if (i < n && text.charCodeAt(i) === 61 /* = */) {
      i = skipLws(text, i + 1);
      if (i < n && text.charCodeAt(i) === 34) {
        const [, end] = readQuoted(text, i, what);
        params.set(name, text.slice(i, end));
        i = end;
      } else {
        const vs = i;
        i = paramValueEnd(text, i);
        if (i === vs) {
          throw new SipParseError(`Cannot parse ${what}: parameter ${name} has no value`);
        }
        params.set(name, text.slice(vs, i));
      }
    } else {
      params.set(name, null);
    }
    i = skipLws(text, i);
  }
}

/** End of an unquoted parameter value from `i`: token and host (IPv6 brackets, ':')
 * characters; UTF-8 accepted. */
function paramValueEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 && TOKEN[c] === 0 && c !== 58 && c !== 91 && c !== 93) break;
    i++;
  }
  return i;
}

/**
 * Whether {@linkcode parseParams} accepts `text` from `i` (the same rules, nothing built).
 */
export function isParamList(text: string, i: number): boolean {
  const n = text.length;
  i = skipLws(text, i);
  while (i < n) {
    if (text.charCodeAt(i) !== 59 /* ; */) return false;
    i = skipLws(text, i + 1);
    const start = i;
    i = readToken(text, i);
    if (i === start) return false;
    i = skipLws(text, i);
    if (i < n && text.charCodeAt(i) === 61 /* = */) {
      i = skipLws(text, i + 1);
      if (i < n && text.charCodeAt(i) === 34) {
        i = quotedEnd(text, i);
        if (i < 0) return false;
      } else {
        const vs = i;
        i = paramValueEnd(text, i);
        if (i === vs) return false;
      }
    }
    i = skipLws(text, i);
  }
  return true;
}

/** Index after the quoted-string starting at `text[i] === '"'` ({@linkcode readQuoted}), or -1. */
function quotedEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) {
      if (j + 1 >= text.length) return -1;
      j++;
    } else if (c === 34 /* " */) return j + 1;
  }
  return -1;
}

/** Formats parameters as `;name=value` (values as stored). */
export function formatParams(params: Map<string, string | null>): string {
  let out = "";
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Decodes %HEX escapes once (RFC 3261 19.1.2); invalid escapes are kept literally. */
export function unescape(text: string): string {
  if (text.indexOf("%") < 0) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c === 37 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) &&
      isHex(text.charCodeAt(i + 2))
    ) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 128) {
      bytes.push(c);
    } else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Escapes every char whose code is not marked in `allowed` as %HEX of its UTF-8 bytes. */
export function escape(text: string, allowed: Uint8Array): string {
  let ok = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || allowed[c] === 0) {
      ok = false;
      break;
    }
  }
  if (ok) return text;
  let out = "";
  for (const b of encoder.encode(text)) {
    if (b < 128 && allowed[b] === 1) out += String.fromCharCode(b);
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export { table as charTable };
