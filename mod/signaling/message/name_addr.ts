/**
 * name-addr and addr-spec (RFC 3261 20.10, 25.1): From, To, Contact, Route, Record-Route,
 * Path, Refer-To...
 *
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * Without <>, everything after the first ";" belongs to the header, not the URI (RFC 3261
 * 20.10; RFC 4475 3.3.12), and a URI with "?headers", "," or ";" must be bracketed.
 */
import { SipParseError } from "./errors.ts";
import { formatParams, parseParams, readQuoted, skipLws, TOKEN, trimLws } from "./_scan.ts";
import { checkUri, formatUri, parseUri, type SipUri } from "./uri.ts";

/** A parsed name-addr or addr-spec with its header parameters (tag, expires, q...). */
export interface NameAddr {
  /** Unquoted display name; undefined when absent. */
  displayName?: string;
  uri: SipUri;
  /** Header parameters: lower case names, values as written (quotes kept). */
  params: Map<string, string | null>;
  /** True when the URI was written inside <>. */
  bracketed: boolean;
}

/**
 * What {@linkcode parseNameAddr} returns: the URI is checked at once but built on first read
 * of `uri`, and `params` is created on first read when there are none (From, To, Via and
 * Contact views are parsed eagerly for validation; most of them are never read further).
 */
class ParsedNameAddr implements NameAddr {
  displayName: string | undefined;
  bracketed: boolean;
  #uriText: string;
  #uri: SipUri | undefined;
  #params: Map<string, string | null> | undefined;

  constructor(
    displayName: string | undefined,
    uriText: string,
    params: Map<string, string | null> | undefined,
    bracketed: boolean,
  ) {
    this.displayName = displayName;
    this.bracketed = bracketed;
    this.#uriText = uriText;
    this.#params = params;
  }

  get uri(): SipUri {
    return this.#uri ??= parseUri(this.#uriText);
  }

  set uri(uri: SipUri) {
    this.#uri = uri;
  }

  get params(): Map<string, string | null> {
    return this.#params ??= new Map();
  }

  set params(params: Map<string, string | null>) {
    this.#params = params;
  }
}

function fail(detail: string): never {
  throw new SipParseError(`Cannot parse address: ${detail}`);
}

/** Parses a name-addr or addr-spec followed by header parameters. */
export function parseNameAddr(value: string): NameAddr {
  const n = value.length;
  let i = skipLws(value, 0);
  let displayName: string | undefined;
  let bracketed = false;
  let uriText: string;
  if (value.charCodeAt(i) === 34) {
    const [dn, end] = readQuoted(value, i, "address");
    displayName = dn;
    i = skipLws(value, end);
    if (value.charCodeAt(i) !== 60) fail('"<" expected after the display name');
  }
  // An unquoted display name is tokens and LWS up to "<"; anything else starts an addr-spec
  // (whose params may hold a quoted "<").
  let lt = i;
  if (displayName === undefined) {
    while (lt < n) {
      const c = value.charCodeAt(lt);
      if (c < 128 && TOKEN[c] === 0 && c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      lt++;
    }
    const c = value.charCodeAt(lt);
    if (c !== 60 && c !== 58 && value.indexOf("<", lt) >= 0) {
      fail(`display name "${value.slice(i, lt + 1).slice(0, 40)}" must be quoted`);
    }
  }
  if (displayName !== undefined || value.charCodeAt(lt) === 60) {
    if (displayName === undefined) {
      const dn = trimLws(value.slice(i, lt));
      if (dn !== "") displayName = dn.replace(/[ \t\r\n]+/g, " ");
      i = lt;
    }
    const gt = value.indexOf(">", i);
    if (gt < 0) fail('">" is missing');
    uriText = value.slice(i + 1, gt);
    if (uriText === "") fail("URI is missing");
    bracketed = true;
    i = gt + 1;
  } else {
    let end = i;
    while (end < n) {
      const c = value.charCodeAt(end);
      if (c === 59 || c === 32 || c === 9 || c === 13 || c === 10) break;
      end++;
    }
    uriText = value.slice(i, end);
    if (uriText === "") fail("URI is missing");
    i = end;
  }
  const hasHeaders = checkUri(uriText);
  if (!bracketed && hasHeaders) fail("a URI with headers must be enclosed in <>");
  let params: Map<string, string | null> | undefined;
  i = skipLws(value, i);
  if (i < n) {
    params = new Map();
    parseParams(value, i, params, "address");
  }
  return new ParsedNameAddr(displayName, uriText, params, bracketed);
}

/** Contact value: a name-addr / addr-spec, or "*" (RFC 3261 10.2.2). */
export function parseContact(value: string): NameAddr | "*" {
  return value.trim() === "*" ? "*" : parseNameAddr(value);
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/** Formats a name-addr; addr-spec form is kept when the original had no <> and may keep it. */
export function formatNameAddr(na: NameAddr): string {
  const uri = formatUri(na.uri);
  const params = formatParams(na.params);
  if (!na.bracketed && na.displayName === undefined && !/[;,?]/.test(uri)) {
    return uri + params;
  }
  const dn = na.displayName === undefined ? "" : quote(na.displayName) + " ";
  return `${dn}<${uri}>${params}`;
}
