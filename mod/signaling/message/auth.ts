/**
 * WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization (RFC 3261 20.7,
 * 20.27, 20.28, 20.44, 25.1): `scheme LWS auth-param *(COMMA auth-param)`.
 *
 * Digest gets `params`; other schemes (and a Digest that does not read as auth-params)
 * keep their text opaque (RFC 4475 3.3.7). Values in `params` are unquoted. These headers are
 * never split on commas as lists.
 */
import { SipParseError } from "./errors.ts";
import { readQuoted, readToken, skipLws } from "./_scan.ts";

/** A challenge or credentials. */
export interface Auth {
  /** Scheme as written ("Digest"). */
  scheme: string;
  /** Lower case names, unquoted values; empty for opaque schemes. */
  params: Map<string, string>;
  /** Names whose values were quoted (kept to format them back the same way). */
  quoted: Set<string>;
  /** Text after the scheme when it is not a list of auth-params. */
  opaque?: string;
}

/** Parses an auth header value. */
export function parseAuth(value: string): Auth {
  const text = value.trim();
  const end = readToken(text, 0);
  const scheme = text.slice(0, end);
  if (scheme === "") throw new SipParseError("Cannot parse auth header: scheme is missing");
  const rest = text.slice(end).trim();
  const auth: Auth = { scheme, params: new Map(), quoted: new Set() };
  // Digest params are read; other schemes stay opaque (RFC 4475 3.3.7).
  if (scheme.toLowerCase() !== "digest" || !readAuthParams(rest, auth)) {
    auth.params.clear();
    auth.quoted.clear();
    auth.opaque = rest;
  }
  return auth;
}

function readAuthParams(text: string, auth: Auth): boolean {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const s = i;
    i = readToken(text, i);
    if (i === s) return false;
    const name = text.slice(s, i).toLowerCase();
    i = skipLws(text, i);
    if (text.charCodeAt(i) !== 61) return false;
    i = skipLws(text, i + 1);
    if (text.charCodeAt(i) === 34) {
      let v: string;
      try {
        [v, i] = readQuoted(text, i, "auth header");
      } catch {
        return false;
      }
      auth.params.set(name, v);
      auth.quoted.add(name);
    } else {
      const vs = i;
      i = readToken(text, i);
      if (i === vs) return false;
      auth.params.set(name, text.slice(vs, i));
    }
    i = skipLws(text, i);
    if (i < n) {
      if (text.charCodeAt(i) !== 44) return false;
      i = skipLws(text, i + 1);
    }
  }
  return true;
}

/** Formats an auth header value. */
export function formatAuth(auth: Auth): string {
  if (auth.opaque !== undefined) {
    return auth.opaque === "" ? auth.scheme : `${auth.scheme} ${auth.opaque}`;
  }
  const parts: string[] = [];
  for (const [k, v] of auth.params) {
    parts.push(auth.quoted.has(k) ? `${k}="${v.replace(/["\\]/g, "\\$&")}"` : `${k}=${v}`);
  }
  return `${auth.scheme} ${parts.join(", ")}`;
}
