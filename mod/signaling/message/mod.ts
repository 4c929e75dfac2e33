/**
 * The SIP message layer (pure, no I/O): parseMessage() for datagrams, StreamFramer for byte
 * streams, serializeMessage() (byte-exact for untouched header lines), Headers (ordered
 * multimap, raw lines kept), typed views (getVias(), getFrom(), getContacts()...) parsed on
 * demand and cached, createResponse() and statelessErrorResponse(), unpredictable identifiers
 * (branches, tags, DNS query ids) from one pooled CSPRNG buffer (random_id.ts).
 *
 * parseMessage() validates what a proxy needs before taking responsibility for a request
 * (RFC 3261 16.3, RFC 4475), which fills the Via, From, To, CSeq and Contact view caches.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./header_names.ts";
export * from "./headers.ts";
export * from "./message.ts";
export * from "./parse.ts";
export * from "./serialize.ts";
export * from "./response.ts";
export * from "./random_id.ts";
export * from "./framer.ts";
export * from "./uri.ts";
export * from "./via.ts";
export * from "./name_addr.ts";
export * from "./cseq.ts";
export * from "./numbers.ts";
export * from "./auth.ts";
export * from "./content_type.ts";
export * from "./reasons.ts";
export * from "./views.ts";
