// A loopback DNS server for tests: answers NAPTR, SRV, A, AAAA and CNAME queries from a table,
// over UDP and (for truncated answers) TCP on the same port, with per-name behaviour knobs.

import type { DnsRecord } from "../../mod/signaling/dns/types.ts";
import {
  decodeDnsMessage,
  DNS_RCODES,
  type DnsMessage,
  encodeDnsMessage,
} from "../../mod/signaling/dns/wire.ts";

/**
 * What the server does with a query: "answer" (the records, NODATA or NXDOMAIN), "drop" (no
 * answer at all: the client times out), "servfail", "refused", "truncate" (an empty answer with
 * the TC bit over UDP, the full one over TCP).
 */
export type DnsServerBehaviour = "answer" | "drop" | "servfail" | "refused" | "truncate";

/** The records of one name. */
export interface DnsServerEntry {
  A?: string[];
  AAAA?: string[];
  /** An alias: queries of other types get the CNAME, plus the target's records when in the table. */
  CNAME?: string;
  SRV?: { priority: number; weight: number; port: number; target: string }[];
  NAPTR?: {
    order: number;
    preference: number;
    flags: string;
    services: string;
    regexp?: string;
    replacement: string;
  }[];
  /** TTL of these records, seconds. @default {60} */
  ttl?: number;
  /** @default {"answer"} */
  behaviour?: DnsServerBehaviour;
}

/** Name (case-insensitive, trailing dot optional) to records. Read at each query: tests may edit it. */
export type DnsServerRecords = Record<string, DnsServerEntry>;

/** Options of `startDnsServer()`. */
export interface DnsServerOptions {
  /** Behaviour for every name, overriding the entries' own. */
  behaviour?: DnsServerBehaviour;
  /** SOA minimum (and TTL) sent with NXDOMAIN / NODATA answers, seconds. @default {5} */
  negativeTtl?: number;
  /** @default {"127.0.0.1"} */
  hostname?: string;
}

/** One query the server received. */
export interface DnsServerQuery {
  name: string;
  type: string | number;
  transport: "udp" | "tcp";
}

/** A running server. */
export interface DnsServer {
  port: number;
  /** Queries received so far (UDP and TCP, dropped ones included). */
  readonly queries: number;
  /** Every query received, in order. */
  readonly log: readonly DnsServerQuery[];
  close(): Promise<void>;
}

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function find(records: DnsServerRecords, name: string): DnsServerEntry | undefined {
  const wanted = normalize(name);
  for (const [key, entry] of Object.entries(records)) {
    if (normalize(key) === wanted) return entry;
  }
  return undefined;
}

function recordsOf(name: string, entry: DnsServerEntry, type: string | number): DnsRecord[] {
  const ttl = entry.ttl ?? 60;
  switch (type) {
    case "A":
      return (entry.A ?? []).map((address) => ({ type, name, ttl, address }));
    case "AAAA":
      return (entry.AAAA ?? []).map((address) => ({ type, name, ttl, address }));
    case "SRV":
      return (entry.SRV ?? []).map((r) => ({ type, name, ttl, ...r }));
    case "NAPTR":
      return (entry.NAPTR ?? []).map((r) => ({ type, name, ttl, regexp: "", ...r }));
    case "CNAME":
      return entry.CNAME ? [{ type, name, ttl, target: entry.CNAME }] : [];
    default:
      return [];
  }
}

function respond(
  query: DnsMessage,
  records: DnsServerRecords,
  options: DnsServerOptions,
  transport: "udp" | "tcp",
): DnsMessage | undefined {
  const question = query.questions[0];
  const reply: DnsMessage = {
    id: query.id,
    response: true,
    authoritative: true,
    recursionDesired: query.recursionDesired,
    recursionAvailable: true,
    rcode: DNS_RCODES.NOERROR,
    questions: query.questions,
    answers: [],
    authorities: [],
    additionals: [],
  };
  if (!question) return { ...reply, rcode: DNS_RCODES.FORMERR };
  const entry = find(records, question.name);
  const behaviour = options.behaviour ?? entry?.behaviour ?? "answer";
  if (behaviour === "drop") return undefined;
  if (behaviour === "servfail") return { ...reply, rcode: DNS_RCODES.SERVFAIL };
  if (behaviour === "refused") return { ...reply, rcode: DNS_RCODES.REFUSED };
  if (behaviour === "truncate" && transport === "udp") return { ...reply, truncated: true };
  const negativeTtl = options.negativeTtl ?? 5;
  const soa: DnsRecord = {
    type: "SOA",
    name: "test",
    ttl: negativeTtl,
    mname: "ns.test",
    rname: "hostmaster.test",
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: negativeTtl,
  };
  if (!entry) return { ...reply, rcode: DNS_RCODES.NXDOMAIN, authorities: [soa] };
  let answers = recordsOf(question.name, entry, question.type);
  if (answers.length === 0 && entry.CNAME && question.type !== "CNAME") {
    answers = recordsOf(question.name, entry, "CNAME");
    const target = find(records, entry.CNAME);
    if (target) answers.push(...recordsOf(entry.CNAME, target, question.type));
  }
  return { ...reply, answers, authorities: answers.length === 0 ? [soa] : [] };
}

async function serveTcp(
  conn: Deno.Conn,
  handle: (bytes: Uint8Array) => Uint8Array | undefined,
): Promise<void> {
  try {
    const prefix = new Uint8Array(2);
    let filled = 0;
    while (filled < 2) {
      const read = await conn.read(prefix.subarray(filled));
      if (read === null) return;
      filled += read;
    }
    const body = new Uint8Array((prefix[0] << 8) | prefix[1]);
    filled = 0;
    while (filled < body.length) {
      const read = await conn.read(body.subarray(filled));
      if (read === null) return;
      filled += read;
    }
    const answer = handle(body);
    if (!answer) return;
    const framed = new Uint8Array(answer.length + 2);
    framed[0] = answer.length >> 8;
    framed[1] = answer.length & 0xff;
    framed.set(answer, 2);
    let written = 0;
    while (written < framed.length) written += await conn.write(framed.subarray(written));
  } catch {
    // the client went away
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Starts the server on `options.hostname` (127.0.0.1), UDP port chosen by the system, TCP on the
 * same port when free. Stop it with `close()`.
 */
export function startDnsServer(
  records: DnsServerRecords,
  options: DnsServerOptions = {},
): Promise<DnsServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const udp = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const port = (udp.addr as Deno.NetAddr).port;
  let tcp: Deno.Listener | undefined;
  try {
    tcp = Deno.listen({ transport: "tcp", hostname, port });
  } catch {
    tcp = undefined; // the port is taken for TCP: truncation cannot be followed up
  }
  const log: DnsServerQuery[] = [];
  const connections = new Set<Promise<void>>();

  function handle(bytes: Uint8Array, transport: "udp" | "tcp"): Uint8Array | undefined {
    let query: DnsMessage;
    try {
      query = decodeDnsMessage(bytes);
    } catch {
      return undefined;
    }
    const question = query.questions[0];
    log.push({ name: question?.name ?? "", type: question?.type ?? 0, transport });
    const reply = respond(query, records, options, transport);
    return reply ? encodeDnsMessage(reply) : undefined;
  }

  const udpLoop = (async () => {
    for (;;) {
      let packet: [Uint8Array, Deno.Addr];
      try {
        packet = await udp.receive();
      } catch {
        return; // closed
      }
      const answer = handle(packet[0], "udp");
      if (answer) await udp.send(answer, packet[1]).catch(() => {});
    }
  })();
  const tcpLoop = (async () => {
    if (!tcp) return;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await tcp.accept();
      } catch {
        return; // closed
      }
      const served = serveTcp(conn, (bytes) => handle(bytes, "tcp"));
      connections.add(served);
      served.finally(() => connections.delete(served));
    }
  })();

  let closed = false;
  return Promise.resolve({
    port,
    get queries() {
      return log.length;
    },
    log,
    async close() {
      if (closed) return;
      closed = true;
      udp.close();
      tcp?.close();
      await Promise.all([udpLoop, tcpLoop, ...connections]);
    },
  });
}
