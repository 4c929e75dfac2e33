/** The CSeq header (RFC 3261 20.16): `CSeq = 1*DIGIT LWS Method`, at most 2^32-1. */
import { SipParseError } from "./errors.ts";
import { isToken, parseDigits } from "./_scan.ts";
import { MAX_UINT32 } from "./numbers.ts";

/** A parsed CSeq. */
export interface CSeq {
  seq: number;
  method: string;
}

/** Parses a CSeq value such as `0009\r\n  INVITE` (folding already joined). */
export function parseCSeq(value: string): CSeq {
  const text = value.trim();
  let sp = 0;
  while (sp < text.length && text.charCodeAt(sp) > 32) sp++;
  const method = text.slice(sp).trim();
  if (sp === 0) throw new SipParseError("Cannot parse CSeq header: sequence number is missing");
  if (method === "") throw new SipParseError("Cannot parse CSeq header: method is missing");
  if (!isToken(method)) throw new SipParseError("Cannot parse CSeq header: method is not a token");
  return { seq: parseDigits(text.slice(0, sp), MAX_UINT32, "CSeq header"), method };
}

/** Formats a CSeq value: `seq METHOD`. */
export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
