/**
 * The Via header (RFC 3261 20.42, 25.1).
 *
 *   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by = host [ COLON port ]
 *
 * LWS is allowed around "/", ";" and "=" (RFC 4475 3.1.1.1).
 */
import { SipParseError } from "./errors.ts";
import { formatParams, parseParams, readToken, skipLws } from "./_scan.ts";
import { isVia } from "./_via_scan.ts";

/** One Via value. branch, received, rport, maddr, ttl are entries of `params`. */
export interface Via {
  /** "SIP/2.0" (name and version, without LWS). */
  protocol: string;
  /** Upper case transport: UDP, TCP, TLS, SCTP, WS, WSS or any token. */
  transport: string;
  /** Host as written; IPv6 references keep their brackets. */
  host: string;
  port?: number;
  /** Lower case names; values as written, null when absent (`;rport`). */
  params: Map<string, string | null>;
}

function fail(detail: string): never {
  throw new SipParseError(`Cannot parse Via header: ${detail}`);
}

/** Parses one Via value (already split from its list). */
export function parseVia(value: string): Via {
  const n = value.length;
  let i = skipLws(value, 0);
  let s = i;
  i = readToken(value, i);
  const name = value.slice(s, i);
  i = skipLws(value, i);
  if (name === "" || value.charCodeAt(i) !== 47) fail("sent-protocol is malformed");
  i = skipLws(value, i + 1);
  s = i;
  i = readToken(value, i);
  const version = value.slice(s, i);
  i = skipLws(value, i);
  if (version === "" || value.charCodeAt(i) !== 47) fail("sent-protocol is malformed");
  i = skipLws(value, i + 1);
  s = i;
  i = readToken(value, i);
  const transport = value.slice(s, i);
  if (transport === "") fail("transport is missing");
  const afterTransport = i;
  i = skipLws(value, i);
  if (i === afterTransport) fail("sent-by is missing");
  s = i;
  if (value.charCodeAt(i) === 91) {
    const close = value.indexOf("]", i);
    if (close < 0) fail("unterminated IPv6 reference");
    i = close + 1;
  } else {
    while (i < n) {
      const c = value.charCodeAt(i);
      if (
        !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 ||
          c === 46 || c === 95)
      ) break;
      i++;
    }
  }
  const host = value.slice(s, i);
  if (host === "") fail("host is missing");
  const via: Via = {
    protocol: `${name}/${version}`.toUpperCase(),
    transport: transport.toUpperCase(),
    host,
    params: new Map(),
  };
  i = skipLws(value, i);
  if (i < n && value.charCodeAt(i) === 58) {
    i = skipLws(value, i + 1);
    s = i;
    while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
    const digits = value.slice(s, i);
    if (digits === "" || digits.length > 5 || Number(digits) > 65535) fail("invalid port");
    via.port = Number(digits);
  }
  parseParams(value, i, via.params, "Via header");
  return via;
}

/**
 * Checks one Via value exactly as {@linkcode parseVia} does, without building it (responses
 * are validated whole but only their top Via is read). Throws parseVia's SipParseError.
 */
export function checkVia(value: string): void {
  if (!isVia(value)) parseVia(value); // throws the error of the first rule broken
}

/** Formats a Via value: `SIP/2.0/UDP host:port;branch=...`. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? "" : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
