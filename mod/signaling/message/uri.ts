/**
 * SIP, SIPS and TEL URIs (RFC 3261 19.1, 25.1; RFC 3966); any other scheme is kept opaque
 * (absoluteURI, RFC 4475 3.3.2).
 *
 *   SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 *   hostport = host [ ":" port ]
 *   uri-parameters = *( ";" uri-parameter )
 *   headers = "?" header *( "&" header )
 *
 * Components are unescaped once (`%41` gives `A`, `%2541` gives `%41`). {@linkcode formatUri}
 * returns the original text byte for byte while the URI is unchanged.
 */
import { SipParseError } from "./errors.ts";
import { charTable, escape, unescape } from "./_scan.ts";
import { badChar, scanUri, UriShape } from "./_uri_scan.ts";

/** A parsed URI. Param names are lower case; names and values are unescaped. */
export interface SipUri {
  /** Lower case scheme: "sip", "sips", "tel" or any other (then `opaque` holds the rest). */
  scheme: string;
  /** User part (sip/sips), or the telephone number (tel). */
  user?: string;
  password?: string;
  /** Host as written, IPv6 references keep their brackets; "" for tel and opaque URIs. */
  host: string;
  port?: number;
  params: Map<string, string | null>;
  headers: Map<string, string>;
  /** Everything after "scheme:" for schemes other than sip, sips and tel. */
  opaque?: string;
}

// RFC 3261 25.1 character sets (plus alphanum).
const MARK = "-_.!~*'()";
const USER_OK = charTable(MARK + "&=+$,;?/");
const PASSWORD_OK = charTable(MARK + "&=+$,");
const PARAM_OK = charTable(MARK + "[]/:&+$");
const HEADER_OK = charTable(MARK + "[]/?:+$");

/** Original text of a parsed URI and its canonical form (computed on first format). */
const RAW: unique symbol = Symbol("raw");
const CANON: unique symbol = Symbol("canon");
type Tracked = SipUri & { [RAW]?: string; [CANON]?: string };

function fail(text: string, detail: string): never {
  throw new SipParseError(`Cannot parse URI "${text.slice(0, 80)}": ${detail}`);
}

/** Parses a URI; throws SipParseError (a SyntaxError) when it is malformed. */
export function parseUri(text: string): SipUri {
  const uri: Tracked = parseUriText(text);
  uri[RAW] = text;
  return uri;
}

/**
 * Checks `text` exactly as {@linkcode parseUri} does, without building the URI (validation at
 * parse time builds only what is read later). Throws the SipParseError parseUri throws;
 * returns whether the URI has a headers part (`?name=value`, sip and sips only).
 */
export function checkUri(text: string): boolean {
  const shape = scanUri(text);
  if (shape !== UriShape.Invalid) return shape === UriShape.WithHeaders;
  return parseUri(text).headers.size > 0; // throws the error of the first rule broken
}

function parseUriText(text: string): SipUri {
  const colon = text.indexOf(":");
  if (colon <= 0) fail(text, "scheme is missing");
  for (let i = 0; i < text.length; i++) {
    if (badChar(text.charCodeAt(i))) fail(text, "contains whitespace or a delimiter");
  }
  const scheme = text.slice(0, colon).toLowerCase();
  for (let i = 0; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (i > 0 && ((c >= 48 && c <= 57) || c === 43 ||
      c === 45 || c === 46));
    if (!ok) fail(text, "invalid scheme");
  }
  const rest = text.slice(colon + 1);
  if (scheme === "sip" || scheme === "sips") return parseSip(text, scheme, rest);
  const params = new Map<string, string | null>();
  const headers = new Map<string, string>();
  if (scheme === "tel") {
    const semi = rest.indexOf(";");
    const number = semi < 0 ? rest : rest.slice(0, semi);
    if (number === "") fail(text, "telephone number is missing");
    if (semi >= 0) readParams(text, rest.slice(semi + 1), params);
    return { scheme, user: unescape(number), host: "", params, headers };
  }
  if (rest === "") fail(text, "nothing after the scheme");
  return { scheme, host: "", params, headers, opaque: rest };
}

function parseSip(text: string, scheme: string, rest: string): SipUri {
  const uri: SipUri = { scheme, host: "", params: new Map(), headers: new Map() };
  let hp = rest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(":");
    const user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (user === "") fail(text, "user is empty");
    uri.user = unescape(user);
    if (pc >= 0) uri.password = unescape(userinfo.slice(pc + 1));
    hp = rest.slice(at + 1);
  }
  let end = hp.length;
  const q = hp.indexOf("?");
  if (q >= 0) {
    end = q;
    for (const h of hp.slice(q + 1).split("&")) {
      const eq = h.indexOf("=");
      if (eq <= 0) fail(text, "malformed header");
      uri.headers.set(unescape(h.slice(0, eq)), unescape(h.slice(eq + 1)));
    }
  }
  const semi = hp.indexOf(";");
  if (semi >= 0 && semi < end) {
    readParams(text, hp.slice(semi + 1, end), uri.params);
    end = semi;
  }
  const hostport = hp.slice(0, end);
  let hostEnd: number;
  if (hostport.charCodeAt(0) === 91 /* [ */) {
    hostEnd = hostport.indexOf("]") + 1;
    if (hostEnd === 0) fail(text, "unterminated IPv6 reference");
  } else {
    hostEnd = hostport.indexOf(":");
    if (hostEnd < 0) hostEnd = hostport.length;
  }
  uri.host = hostport.slice(0, hostEnd);
  if (uri.host === "") fail(text, "host is missing");
  for (let i = 0; i < uri.host.length; i++) {
    const c = uri.host.charCodeAt(i);
    // alphanum, "-", ".", IPv6 ":" "[" "]"; "_" tolerated (seen in real host names).
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 93 && c !== 92) ||
      (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
    if (!ok) fail(text, "invalid host");
  }
  if (hostEnd < hostport.length) {
    if (hostport.charCodeAt(hostEnd) !== 58) fail(text, "garbage after host");
    uri.port = parsePort(text, hostport.slice(hostEnd + 1));
  }
  return uri;
}

function parsePort(text: string, digits: string): number {
  if (digits.length === 0 || digits.length > 5) fail(text, "invalid port");
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) fail(text, "invalid port");
  }
  const port = Number(digits);
  if (port > 65535) fail(text, "port out of range");
  return port;
}

function readParams(text: string, list: string, params: Map<string, string | null>): void {
  for (const p of list.split(";")) {
    if (p === "") fail(text, "empty parameter");
    const eq = p.indexOf("=");
    if (eq === 0) fail(text, "parameter name is missing");
    if (eq < 0) params.set(unescape(p).toLowerCase(), null);
    else params.set(unescape(p.slice(0, eq)).toLowerCase(), unescape(p.slice(eq + 1)));
  }
}

function canonical(uri: SipUri): string {
  if (uri.opaque !== undefined && uri.scheme !== "sip" && uri.scheme !== "sips") {
    return `${uri.scheme}:${uri.opaque}`;
  }
  let out = uri.scheme + ":";
  if (uri.scheme === "tel") out += escape(uri.user ?? "", USER_OK);
  else {
    if (uri.user !== undefined) {
      out += escape(uri.user, USER_OK);
      if (uri.password !== undefined) out += ":" + escape(uri.password, PASSWORD_OK);
      out += "@";
    }
    out += uri.host;
    if (uri.port !== undefined) out += ":" + uri.port;
  }
  for (const [k, v] of uri.params) {
    out += ";" + escape(k, PARAM_OK);
    if (v !== null) out += "=" + escape(v, PARAM_OK);
  }
  let sep = "?";
  for (const [k, v] of uri.headers) {
    out += sep + escape(k, HEADER_OK) + "=" + escape(v, HEADER_OK);
    sep = "&";
  }
  return out;
}

/**
 * Formats a URI. A URI from {@linkcode parseUri} whose fields were not changed comes back as
 * the original text (escapes and parameter case kept); otherwise components are escaped.
 */
export function formatUri(uri: SipUri): string {
  const now = canonical(uri);
  const tracked = uri as Tracked;
  const raw = tracked[RAW];
  if (raw !== undefined) {
    tracked[CANON] ??= canonical(parseUriText(raw));
    if (tracked[CANON] === now) return raw;
  }
  return now;
}
