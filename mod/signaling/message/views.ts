/**
 * Typed views over Headers, parsed on first use and cached until the header changes (the
 * parser already filled the cache for Via, From, To, CSeq and Contact).
 */
import type { Headers } from "./headers.ts";
import { type Auth, parseAuth } from "./auth.ts";
import { type ContentType, parseContentType } from "./content_type.ts";
import { type CSeq, parseCSeq } from "./cseq.ts";
import { type NameAddr, parseContact, parseNameAddr } from "./name_addr.ts";
import { parseContentLength, parseMaxForwards } from "./numbers.ts";
import { parseVia, type Via } from "./via.ts";

/** Every Via value, topmost first. */
export function getVias(headers: Headers): Via[] {
  return headers.typed("via", parseVia);
}

/** The From header. */
export function getFrom(headers: Headers): NameAddr | undefined {
  return headers.typed("from", parseNameAddr)[0];
}

/** The To header. */
export function getTo(headers: Headers): NameAddr | undefined {
  return headers.typed("to", parseNameAddr)[0];
}

/** The CSeq header. */
export function getCSeq(headers: Headers): CSeq | undefined {
  return headers.typed("cseq", parseCSeq)[0];
}

/** The Call-ID value. */
export function getCallId(headers: Headers): string | undefined {
  return headers.get("call-id");
}

/** Every Contact value; "*" for a wildcard. */
export function getContacts(headers: Headers): (NameAddr | "*")[] {
  return headers.typed("contact", parseContact);
}

/** Every Route value, in order. */
export function getRoutes(headers: Headers): NameAddr[] {
  return headers.typed("route", parseNameAddr);
}

/** Every Record-Route value, in order. */
export function getRecordRoutes(headers: Headers): NameAddr[] {
  return headers.typed("record-route", parseNameAddr);
}

/** Every Path value, in order. */
export function getPaths(headers: Headers): NameAddr[] {
  return headers.typed("path", parseNameAddr);
}

/** Max-Forwards, or undefined when absent. */
export function getMaxForwards(headers: Headers): number | undefined {
  return headers.typed("max-forwards", parseMaxForwards)[0];
}

/** Content-Length, or undefined when absent. */
export function getContentLength(headers: Headers): number | undefined {
  return headers.typed("content-length", parseContentLength)[0];
}

/** Content-Type, or undefined when absent. */
export function getContentType(headers: Headers): ContentType | undefined {
  return headers.typed("content-type", parseContentType)[0];
}

/** Every value of an auth header (WWW-Authenticate, Authorization...), one per field line. */
export function getAuths(headers: Headers, name: string): Auth[] {
  return headers.typed(name, parseAuth);
}

/** Option tags of Supported, Require, Proxy-Require or Unsupported, lower case. */
export function getOptionTags(headers: Headers, name: string): string[] {
  return headers.getAll(name).map((t) => t.toLowerCase());
}
