/** Content-Type (RFC 3261 20.15): `m-type SLASH m-subtype *(SEMI m-parameter)`. */
import { SipParseError } from "./errors.ts";
import { formatParams, parseParams, readToken, skipLws } from "./_scan.ts";

/** A parsed media type; `type` and `subtype` are lower case. */
export interface ContentType {
  type: string;
  subtype: string;
  params: Map<string, string | null>;
}

/** Parses `application/sdp;charset=utf-8`. */
export function parseContentType(value: string): ContentType {
  let i = skipLws(value, 0);
  let s = i;
  i = readToken(value, i);
  const type = value.slice(s, i).toLowerCase();
  i = skipLws(value, i);
  if (type === "" || value.charCodeAt(i) !== 47) {
    throw new SipParseError("Cannot parse Content-Type header: type/subtype expected");
  }
  i = skipLws(value, i + 1);
  s = i;
  i = readToken(value, i);
  const subtype = value.slice(s, i).toLowerCase();
  if (subtype === "") {
    throw new SipParseError("Cannot parse Content-Type header: subtype is missing");
  }
  const params = new Map<string, string | null>();
  parseParams(value, i, params, "Content-Type header");
  return { type, subtype, params };
}

/** Formats a media type. */
export function formatContentType(ct: ContentType): string {
  return `${ct.type}/${ct.subtype}${formatParams(ct.params)}`;
}
