// DNS messages on the wire (RFC 1035 4.1): the encoder and decoder used by the DNS client and by
// the loopback DNS server of the tests.
//
//                                 1  1  1  1  1  1
//   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
// |                      ID                       |
// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
// |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
// |          QDCOUNT / ANCOUNT / NSCOUNT / ARCOUNT |
// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
// then the questions (QNAME QTYPE QCLASS) and the answer, authority and additional resource
// records (NAME TYPE CLASS TTL RDLENGTH RDATA). Names may be compressed (RFC 1035 4.1.4).

import { formatIpv6, parseIpv4, parseIpv6 } from "./_ip.ts";
import { DnsParseError } from "./errors.ts";
import { DNS_RECORD_TYPES, type DnsRecord, type DnsRecordType } from "./types.ts";

/** Response codes (RFC 1035 4.1.1). */
export const DNS_RCODES = {
  /** No error */
  NOERROR: 0,
  /** Format error */
  FORMERR: 1,
  /** Server failure */
  SERVFAIL: 2,
  /** Name error: the domain does not exist */
  NXDOMAIN: 3,
  /** Not implemented */
  NOTIMP: 4,
  /** Refused */
  REFUSED: 5,
} as const;

/** The Internet class (RFC 1035 3.2.4). */
const CLASS_IN = 1;
/** Longest name in octets (RFC 1035 2.3.4). */
const MAX_NAME_LENGTH = 255;
/** Longest label in octets (RFC 1035 2.3.4). */
const MAX_LABEL_LENGTH = 63;

/** One entry of the question section. */
export interface DnsQuestion {
  name: string;
  /** Record type name, or its numeric code when this module does not know it. */
  type: DnsRecordType | number;
}

/** A whole DNS message, query or response. */
export interface DnsMessage {
  id: number;
  /** QR bit: true for a response. */
  response: boolean;
  /** @default {0} (standard query) */
  opcode?: number;
  authoritative?: boolean;
  truncated?: boolean;
  recursionDesired?: boolean;
  recursionAvailable?: boolean;
  /** @default {0} (NOERROR) */
  rcode?: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

const TYPE_NAMES = new Map<number, DnsRecordType>(
  Object.entries(DNS_RECORD_TYPES).map(([name, code]) => [code, name as DnsRecordType]),
);

/** Builds a recursive query for one name and type. */
export function createDnsQuery(id: number, name: string, type: DnsRecordType): DnsMessage {
  return {
    id,
    response: false,
    recursionDesired: true,
    questions: [{ name, type }],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding

class Writer {
  #bytes = new Uint8Array(512);
  #length = 0;

  #grow(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + extra));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }

  get length(): number {
    return this.#length;
  }

  u8(value: number): void {
    this.#grow(1);
    this.#bytes[this.#length++] = value & 0xff;
  }

  u16(value: number): void {
    this.u8(value >> 8);
    this.u8(value);
  }

  u32(value: number): void {
    this.u16(Math.floor(value / 0x10000));
    this.u16(value % 0x10000);
  }

  bytes(data: Uint8Array): void {
    this.#grow(data.length);
    this.#bytes.set(data, this.#length);
    this.#length += data.length;
  }

  patchU16(offset: number, value: number): void {
    this.#bytes[offset] = (value >> 8) & 0xff;
    this.#bytes[offset + 1] = value & 0xff;
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

const encoder = new TextEncoder();

function writeName(w: Writer, name: string): void {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  let total = 1;
  if (trimmed !== "") {
    for (const label of trimmed.split(".")) {
      const bytes = encoder.encode(label);
      if (bytes.length === 0) {
        throw new DnsParseError(`Cannot encode DNS name ${JSON.stringify(name)}: empty label`);
      }
      if (bytes.length > MAX_LABEL_LENGTH) {
        throw new DnsParseError(
          `Cannot encode DNS name ${JSON.stringify(name)}: label longer than 63 octets`,
        );
      }
      total += bytes.length + 1;
      w.u8(bytes.length);
      w.bytes(bytes);
    }
  }
  if (total > MAX_NAME_LENGTH) {
    throw new DnsParseError(
      `Cannot encode DNS name ${JSON.stringify(name)}: longer than 255 octets`,
    );
  }
  w.u8(0);
}

function writeCharacterString(w: Writer, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > 255) {
    throw new DnsParseError("Cannot encode DNS character-string: longer than 255 octets");
  }
  w.u8(bytes.length);
  w.bytes(bytes);
}

function typeCode(type: DnsRecordType | number): number {
  return typeof type === "number" ? type : DNS_RECORD_TYPES[type];
}

function writeRdata(w: Writer, record: DnsRecord): void {
  switch (record.type) {
    case "A": {
      const bytes = parseIpv4(record.address);
      if (!bytes) {
        throw new DnsParseError(`Cannot encode A record: ${record.address} is not an IPv4 address`);
      }
      w.bytes(bytes);
      return;
    }
    case "AAAA": {
      const bytes = parseIpv6(record.address);
      if (!bytes) {
        throw new DnsParseError(
          `Cannot encode AAAA record: ${record.address} is not an IPv6 address`,
        );
      }
      w.bytes(bytes);
      return;
    }
    case "CNAME":
      writeName(w, record.target);
      return;
    case "SOA":
      writeName(w, record.mname);
      writeName(w, record.rname);
      w.u32(record.serial);
      w.u32(record.refresh);
      w.u32(record.retry);
      w.u32(record.expire);
      w.u32(record.minimum);
      return;
    case "SRV":
      w.u16(record.priority);
      w.u16(record.weight);
      w.u16(record.port);
      writeName(w, record.target);
      return;
    case "NAPTR":
      w.u16(record.order);
      w.u16(record.preference);
      writeCharacterString(w, record.flags);
      writeCharacterString(w, record.services);
      writeCharacterString(w, record.regexp);
      writeName(w, record.replacement);
      return;
    case "unknown":
      w.bytes(record.data);
      return;
  }
}

function writeRecord(w: Writer, record: DnsRecord): void {
  writeName(w, record.name);
  w.u16(record.type === "unknown" ? record.code : DNS_RECORD_TYPES[record.type]);
  w.u16(CLASS_IN);
  w.u32(record.ttl);
  const lengthAt = w.length;
  w.u16(0);
  writeRdata(w, record);
  w.patchU16(lengthAt, w.length - lengthAt - 2);
}

/** Encodes a DNS message (names uncompressed). Throws `DnsParseError` on unencodable fields. */
export function encodeDnsMessage(message: DnsMessage): Uint8Array {
  const w = new Writer();
  w.u16(message.id);
  const flags = (message.response ? 0x8000 : 0) |
    ((message.opcode ?? 0) & 0xf) << 11 |
    (message.authoritative ? 0x0400 : 0) |
    (message.truncated ? 0x0200 : 0) |
    (message.recursionDesired ? 0x0100 : 0) |
    (message.recursionAvailable ? 0x0080 : 0) |
    ((message.rcode ?? 0) & 0xf);
  w.u16(flags);
  w.u16(message.questions.length);
  w.u16(message.answers.length);
  w.u16(message.authorities.length);
  w.u16(message.additionals.length);
  for (const question of message.questions) {
    writeName(w, question.name);
    w.u16(typeCode(question.type));
    w.u16(CLASS_IN);
  }
  for (const record of message.answers) writeRecord(w, record);
  for (const record of message.authorities) writeRecord(w, record);
  for (const record of message.additionals) writeRecord(w, record);
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// Decoding

const decoder = new TextDecoder("latin1");

class Reader {
  readonly bytes: Uint8Array;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  need(count: number, what: string): void {
    if (this.offset + count > this.bytes.length) {
      throw new DnsParseError(`Cannot parse DNS message: ${what} is truncated`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++];
  }

  u16(what: string): number {
    this.need(2, what);
    const value = (this.bytes[this.offset] << 8) | this.bytes[this.offset + 1];
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    return this.u16(what) * 0x10000 + this.u16(what);
  }

  take(count: number, what: string): Uint8Array {
    this.need(count, what);
    const slice = this.bytes.slice(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }
}

/** Reads a possibly compressed name at `r.offset`, leaving the reader after it. */
function readName(r: Reader): string {
  const labels: string[] = [];
  let offset = r.offset;
  let jumped = false;
  let jumps = 0;
  let length = 1;
  for (;;) {
    if (offset >= r.bytes.length) {
      throw new DnsParseError("Cannot parse DNS message: name is truncated");
    }
    const size = r.bytes[offset];
    if (size === 0) {
      offset += 1;
      break;
    }
    if ((size & 0xc0) === 0xc0) {
      if (offset + 1 >= r.bytes.length) {
        throw new DnsParseError("Cannot parse DNS message: name pointer is truncated");
      }
      const target = ((size & 0x3f) << 8) | r.bytes[offset + 1];
      if (++jumps > 64 || target >= offset) {
        throw new DnsParseError("Cannot parse DNS message: name pointer loops or points forward");
      }
      if (!jumped) r.offset = offset + 2;
      jumped = true;
      offset = target;
      continue;
    }
    if ((size & 0xc0) !== 0) {
      throw new DnsParseError(
        `Cannot parse DNS message: unknown label type 0x${size.toString(16)}`,
      );
    }
    if (offset + 1 + size > r.bytes.length) {
      throw new DnsParseError("Cannot parse DNS message: label is truncated");
    }
    length += size + 1;
    if (length > MAX_NAME_LENGTH) {
      throw new DnsParseError("Cannot parse DNS message: name is longer than 255 octets");
    }
    labels.push(decoder.decode(r.bytes.subarray(offset + 1, offset + 1 + size)));
    offset += size + 1;
  }
  if (!jumped) r.offset = offset;
  return labels.join(".");
}

function readCharacterString(r: Reader, what: string): string {
  const size = r.u8(what);
  return decoder.decode(r.take(size, what));
}

function readRecord(r: Reader): DnsRecord {
  const name = readName(r);
  const code = r.u16("record type");
  r.u16("record class");
  const ttlRaw = r.u32("record TTL");
  // RFC 2181 8: a TTL with the top bit set is treated as zero.
  const ttl = ttlRaw > 0x7fffffff ? 0 : ttlRaw;
  const length = r.u16("record length");
  r.need(length, "record data");
  const end = r.offset + length;
  const type = TYPE_NAMES.get(code);
  let record: DnsRecord;
  switch (type) {
    case "A":
      if (length !== 4) throw new DnsParseError("Cannot parse A record: data is not 4 octets");
      record = { type, name, ttl, address: Array.from(r.take(4, "A record")).join(".") };
      break;
    case "AAAA":
      if (length !== 16) throw new DnsParseError("Cannot parse AAAA record: data is not 16 octets");
      record = { type, name, ttl, address: formatIpv6(r.take(16, "AAAA record")) };
      break;
    case "CNAME":
      record = { type, name, ttl, target: readName(r) };
      break;
    case "SOA":
      record = {
        type,
        name,
        ttl,
        mname: readName(r),
        rname: readName(r),
        serial: r.u32("SOA serial"),
        refresh: r.u32("SOA refresh"),
        retry: r.u32("SOA retry"),
        expire: r.u32("SOA expire"),
        minimum: r.u32("SOA minimum"),
      };
      break;
    case "SRV":
      record = {
        type,
        name,
        ttl,
        priority: r.u16("SRV priority"),
        weight: r.u16("SRV weight"),
        port: r.u16("SRV port"),
        target: readName(r),
      };
      break;
    case "NAPTR":
      record = {
        type,
        name,
        ttl,
        order: r.u16("NAPTR order"),
        preference: r.u16("NAPTR preference"),
        flags: readCharacterString(r, "NAPTR flags"),
        services: readCharacterString(r, "NAPTR services"),
        regexp: readCharacterString(r, "NAPTR regexp"),
        replacement: readName(r),
      };
      break;
    default:
      record = { type: "unknown", name, ttl, code, data: r.take(length, "record data") };
  }
  if (r.offset !== end) {
    throw new DnsParseError(
      `Cannot parse ${record.type} record: data length ${length} does not match its content`,
    );
  }
  return record;
}

/** Decodes a DNS message. Throws `DnsParseError` on malformed input. */
export function decodeDnsMessage(bytes: Uint8Array): DnsMessage {
  const r = new Reader(bytes);
  if (bytes.length < 12) {
    throw new DnsParseError(
      `Cannot parse DNS message: header needs 12 octets, got ${bytes.length}`,
    );
  }
  const id = r.u16("header");
  const flags = r.u16("header");
  const counts = [r.u16("header"), r.u16("header"), r.u16("header"), r.u16("header")];
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = readName(r);
    const code = r.u16("question type");
    r.u16("question class");
    questions.push({ name, type: TYPE_NAMES.get(code) ?? code });
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) sections[s].push(readRecord(r));
  }
  return {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0],
    authorities: sections[1],
    additionals: sections[2],
  };
}
