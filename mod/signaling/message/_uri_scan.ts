/**
 * The accept set of `parseUri()` (uri.ts) as a scanner over indexes: `checkUri()` validates
 * URIs at parse time with it and builds them only when they are read. Keep the two in step:
 * `tests/signaling/message/uri_check_test.ts` compares them on generated URIs and RFC 4475.
 *
 * @module
 */

/** True for characters that never appear in a URI: SP, HTAB, CR, LF, <, >, ", NUL. */
export function badChar(c: number): boolean {
  return c <= 32 || c === 60 || c === 62 || c === 34 || c === 127;
}

/** What {@linkcode scanUri} found: not a URI, a URI, a sip/sips URI with headers. */
export const UriShape = { Invalid: 0, Plain: 1, WithHeaders: 2 } as const;
export type UriShape = typeof UriShape[keyof typeof UriShape];

/** The accept set of `parseUri()`, on indexes into `text` (no allocation). */
export function scanUri(text: string): UriShape {
  const n = text.length;
  const colon = text.indexOf(":");
  if (colon <= 0) return UriShape.Invalid;
  for (let i = 0; i < n; i++) if (badChar(text.charCodeAt(i))) return UriShape.Invalid;
  let scheme = 0; // 1: sip, 2: sips, 3: tel, 0: other
  let ascii = true;
  for (let i = 0; i < colon; i++) if (text.charCodeAt(i) > 127) ascii = false;
  if (!ascii) {
    // toLowerCase() maps some non-ASCII letters to ASCII ones (KELVIN SIGN to "k").
    const lower = text.slice(0, colon).toLowerCase();
    if (!isSchemeText(lower)) return UriShape.Invalid;
    scheme = lower === "sip" ? 1 : lower === "sips" ? 2 : lower === "tel" ? 3 : 0;
  } else {
    if (!isSchemeText(text, colon)) return UriShape.Invalid;
    scheme = schemeOf(text, colon);
  }
  if (scheme === 1 || scheme === 2) return scanSip(text, colon + 1);
  if (scheme === 3) {
    const semi = text.indexOf(";", colon + 1);
    if (semi === colon + 1 || colon + 1 === n) return UriShape.Invalid;
    if (semi >= 0 && !scanParams(text, semi + 1, n)) return UriShape.Invalid;
    return UriShape.Plain;
  }
  return colon + 1 === n ? UriShape.Invalid : UriShape.Plain;
}

/** Whether `text` up to `end` (lower-cased ASCII letters) is a valid scheme. */
function isSchemeText(text: string, end = text.length): boolean {
  for (let i = 0; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    const ok = (c >= 97 && c <= 122) || (i > 0 && ((c >= 48 && c <= 57) || c === 43 ||
      c === 45 || c === 46));
    if (!ok) return false;
  }
  return true;
}

/** 1: sip, 2: sips, 3: tel, 0: any other scheme, for an ASCII scheme ending at `colon`. */
function schemeOf(text: string, colon: number): number {
  if (colon < 3 || colon > 4) return 0;
  const a = text.charCodeAt(0) | 0x20, b = text.charCodeAt(1) | 0x20;
  const c = text.charCodeAt(2) | 0x20;
  if (colon === 3 && a === 116 && b === 101 && c === 108) return 3; // tel
  if (a !== 115 || b !== 105 || c !== 112) return 0;
  if (colon === 3) return 1;
  return (text.charCodeAt(3) | 0x20) === 115 ? 2 : 0;
}

/** `parseSip()`'s rules for the text after "sip:" / "sips:" (from `start`). */
function scanSip(text: string, start: number): UriShape {
  const n = text.length;
  let hp = start;
  const at = text.indexOf("@", start);
  if (at >= 0) {
    if (at === start || text.charCodeAt(start) === 58) return UriShape.Invalid; // empty user
    hp = at + 1;
  }
  let end = n;
  const q = text.indexOf("?", hp);
  if (q >= 0) {
    end = q;
    // header *( "&" header ), each with a name before its "="
    let from = q + 1;
    for (;;) {
      const amp = text.indexOf("&", from);
      const to = amp < 0 ? n : amp;
      const eq = text.indexOf("=", from);
      if (eq < 0 || eq >= to || eq === from) return UriShape.Invalid;
      if (amp < 0) break;
      from = amp + 1;
    }
  }
  const semi = text.indexOf(";", hp);
  if (semi >= 0 && semi < end) {
    if (!scanParams(text, semi + 1, end)) return UriShape.Invalid;
    end = semi;
  }
  let hostEnd: number;
  if (text.charCodeAt(hp) === 91 /* [ */) {
    const close = text.indexOf("]", hp);
    if (close < 0 || close >= end) return UriShape.Invalid;
    hostEnd = close + 1;
  } else {
    hostEnd = text.indexOf(":", hp);
    if (hostEnd < 0 || hostEnd > end) hostEnd = end;
  }
  if (hostEnd === hp) return UriShape.Invalid;
  for (let i = hp; i < hostEnd; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 93 && c !== 92) ||
      (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
    if (!ok) return UriShape.Invalid;
  }
  if (hostEnd < end) {
    if (text.charCodeAt(hostEnd) !== 58) return UriShape.Invalid;
    const digits = end - hostEnd - 1;
    if (digits === 0 || digits > 5) return UriShape.Invalid;
    let port = 0;
    for (let i = hostEnd + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return UriShape.Invalid;
      port = port * 10 + c - 48;
    }
    if (port > 65535) return UriShape.Invalid;
  }
  return q >= 0 ? UriShape.WithHeaders : UriShape.Plain;
}

/** `readParams()`' rules for the parameters in `text[from, end)`. */
function scanParams(text: string, from: number, end: number): boolean {
  for (;;) {
    let semi = text.indexOf(";", from);
    if (semi < 0 || semi > end) semi = end;
    if (semi === from) return false; // empty parameter
    if (text.charCodeAt(from) === 61) return false; // parameter name is missing
    if (semi === end) return true;
    from = semi + 1;
  }
}
