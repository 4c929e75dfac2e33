/** Header name tables: compact forms and list headers. */

/** Compact header forms and their long names (RFC 3261 7.3.3, 20; IANA SIP parameters). */
export const COMPACT_FORMS = {
  a: "accept-contact", // RFC 3841
  b: "referred-by", // RFC 3892
  c: "content-type", // RFC 3261 20.15
  d: "request-disposition", // RFC 3841
  e: "content-encoding", // RFC 3261 20.12
  f: "from", // RFC 3261 20.20
  i: "call-id", // RFC 3261 20.8
  j: "reject-contact", // RFC 3841
  k: "supported", // RFC 3261 20.37
  l: "content-length", // RFC 3261 20.14
  m: "contact", // RFC 3261 20.10
  o: "event", // RFC 6665
  r: "refer-to", // RFC 3515
  s: "subject", // RFC 3261 20.36
  t: "to", // RFC 3261 20.39
  u: "allow-events", // RFC 6665
  v: "via", // RFC 3261 20.42
  x: "session-expires", // RFC 4028
  y: "identity", // RFC 8224
} as const;

/**
 * Headers whose field value is a comma-separated list (RFC 3261 7.3.1: "#" rules), split
 * into values by {@linkcode Headers.getAll}. Auth headers and Date are NOT lists.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  "accept", // RFC 3261 20.1
  "accept-contact", // RFC 3841
  "accept-encoding", // RFC 3261 20.2
  "accept-language", // RFC 3261 20.3
  "alert-info", // RFC 3261 20.4
  "allow", // RFC 3261 20.5
  "allow-events", // RFC 6665
  "call-info", // RFC 3261 20.9
  "contact", // RFC 3261 20.10
  "content-encoding", // RFC 3261 20.12
  "content-language", // RFC 3261 20.13
  "error-info", // RFC 3261 20.18
  "history-info", // RFC 7044
  "in-reply-to", // RFC 3261 20.21
  "path", // RFC 3327
  "p-asserted-identity", // RFC 3325
  "p-preferred-identity", // RFC 3325
  "proxy-require", // RFC 3261 20.29
  "reason", // RFC 3326
  "record-route", // RFC 3261 20.30
  "reject-contact", // RFC 3841
  "request-disposition", // RFC 3841
  "require", // RFC 3261 20.32
  "route", // RFC 3261 20.34
  "security-client", // RFC 3329
  "security-server", // RFC 3329
  "security-verify", // RFC 3329
  "service-route", // RFC 3608
  "supported", // RFC 3261 20.37
  "unsupported", // RFC 3261 20.40
  "via", // RFC 3261 20.42
  "warning", // RFC 3261 20.43
]);

const cache = new Map<string, string>();

/** Names as usually written, by length, compared before the cache (no hashing). */
const USUAL: [string, string][][] = [];
for (
  const name of [
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Contact",
    "Max-Forwards",
    "Content-Type",
    "Content-Length",
    "Route",
    "Record-Route",
    "Allow",
    "Supported",
    "Require",
    "Expires",
    "User-Agent",
    "Authorization",
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Session-Expires",
    "Path",
  ]
) (USUAL[name.length] ??= []).push([name, name.toLowerCase()]);

/** Canonical key of a header name: lower case long form (`v` and `VIA` give `via`). */
export function headerKey(name: string): string {
  const usual = USUAL[name.length];
  if (usual !== undefined) {
    for (let i = 0; i < usual.length; i++) if (usual[i][0] === name) return usual[i][1];
  }
  let key = cache.get(name);
  if (key === undefined) {
    const lower = name.toLowerCase();
    key = (COMPACT_FORMS as Record<string, string>)[lower] ?? lower;
    if (cache.size < 4096) cache.set(name, key);
  }
  return key;
}

/** True when values of this header are comma-separated lists. */
export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}
