/** Record types the gateway queries or understands (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 3403). */
export const DNS_RECORD_TYPES = {
  /** RFC 1035 3.4.1 */
  A: 1,
  /** RFC 1035 3.3.1 */
  CNAME: 5,
  /** RFC 1035 3.3.13 */
  SOA: 6,
  /** RFC 3596 2.1 */
  AAAA: 28,
  /** RFC 2782 */
  SRV: 33,
  /** RFC 3403 4.1 */
  NAPTR: 35,
} as const;

/** Name of a record type this module understands. */
export type DnsRecordType = keyof typeof DNS_RECORD_TYPES;

/** Record types a lookup may ask for (RFC 3263 needs these four). */
export type DnsQueryType = "NAPTR" | "SRV" | "A" | "AAAA";

/** Fields every decoded resource record carries. */
interface RecordBase {
  /** Owner name, without the trailing dot. */
  name: string;
  /** Time to live in seconds (RFC 1035 3.2.1). */
  ttl: number;
}

/** IPv4 address record (RFC 1035 3.4.1). */
export interface ARecord extends RecordBase {
  type: "A";
  address: string;
}

/** IPv6 address record (RFC 3596), address in RFC 5952 text form. */
export interface AaaaRecord extends RecordBase {
  type: "AAAA";
  address: string;
}

/** Alias record (RFC 1035 3.3.1). */
export interface CnameRecord extends RecordBase {
  type: "CNAME";
  target: string;
}

/** Start of authority (RFC 1035 3.3.13); its minimum bounds negative caching (RFC 2308 5). */
export interface SoaRecord extends RecordBase {
  type: "SOA";
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** Service location record (RFC 2782). */
export interface SrvRecord extends RecordBase {
  type: "SRV";
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** Naming authority pointer (RFC 3403 4.1). */
export interface NaptrRecord extends RecordBase {
  type: "NAPTR";
  order: number;
  preference: number;
  flags: string;
  services: string;
  regexp: string;
  replacement: string;
}

/** Any other record type, kept as raw RDATA. */
export interface UnknownRecord extends RecordBase {
  type: "unknown";
  /** Numeric TYPE of the record. */
  code: number;
  data: Uint8Array;
}

/** A decoded resource record. */
export type DnsRecord =
  | ARecord
  | AaaaRecord
  | CnameRecord
  | SoaRecord
  | SrvRecord
  | NaptrRecord
  | UnknownRecord;

/** A configured `<nameserver>`: an IP address, port 53 unless given. */
export interface NameServer {
  host: string;
  /** @default {53} */
  port?: number;
}

/**
 * Looks up the records of one type at one name, CNAMEs followed. An empty list means the name
 * or the type does not exist (NXDOMAIN / NODATA); records of other types are ignored by
 * callers; failures (timeouts, SERVFAIL) throw a
 * `DnsResolutionError`.
 */
export type DnsLookupFunction = (name: string, type: DnsQueryType) => Promise<DnsRecord[]>;

/** SIP-side transports RFC 3263 can select. */
export type SipTransportName = "udp" | "tcp" | "tls";

/** One place to send a SIP request, in failover order. */
export interface Target {
  protocol: SipTransportName;
  /** IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** The domain the target was derived from (the URI host): the name to check a TLS certificate against. */
  serverName: string;
}
