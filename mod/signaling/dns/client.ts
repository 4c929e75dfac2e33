// A minimal stub-resolver client (RFC 1035 4.2): one query to the configured nameservers in
// order, over UDP with a timeout and retries, then TCP when the answer comes back truncated
// (RFC 1035 4.2.1, RFC 7766 5).

import { randomUint16 } from "../message/random_id.ts";
import { isIpv6 } from "./_ip.ts";
import { DnsParseError, DnsResolutionError } from "./errors.ts";
import type { DnsRecordType, NameServer } from "./types.ts";
import {
  createDnsQuery,
  decodeDnsMessage,
  DNS_RCODES,
  type DnsMessage,
  encodeDnsMessage,
} from "./wire.ts";

/** Options of `queryNameServers()`. */
export interface DnsQueryOptions {
  /** Time to wait for each answer, milliseconds. @default {2000} */
  timeout?: number;
  /** Tries per nameserver before moving to the next one. @default {1} */
  attempts?: number;
  /** Aborts the whole query. */
  signal?: AbortSignal;
  /** Source of query ids (16 bits). @default {randomUint16} (pooled CSPRNG bytes) */
  randomId?: () => number;
  /** Called when a nameserver times out, fails or answers SERVFAIL / REFUSED. */
  onFailure?: (server: NameServer) => void;
}

/** Default DNS port (RFC 1035 4.2). */
const DNS_PORT = 53;
/** Largest TCP answer accepted (RFC 1035 4.2.2: 16-bit length). */
const MAX_TCP_MESSAGE = 65535;

function isLoopback(host: string): boolean {
  return host === "::1" || host.startsWith("127.");
}

function describe(server: NameServer): string {
  const port = server.port ?? DNS_PORT;
  return isIpv6(server.host) ? `[${server.host}]:${port}` : `${server.host}:${port}`;
}

function matches(answer: DnsMessage, query: DnsMessage): boolean {
  if (!answer.response || answer.id !== query.id) return false;
  const question = query.questions[0];
  const echoed = answer.questions[0];
  // RFC 5452 9.1: the question must come back (0x20 mixed case aside).
  return echoed !== undefined && echoed.type === question.type &&
    echoed.name.toLowerCase() === question.name.toLowerCase();
}

function sameHost(a: string, b: string): boolean {
  return a === b || a.replace(/^::ffff:/, "") === b;
}

/** Runs `work` with a timer that calls `onTimeout` after `timeout` ms or when `signal` aborts. */
async function withDeadline<T>(
  timeout: number,
  signal: AbortSignal | undefined,
  onTimeout: () => void,
  work: () => Promise<T>,
): Promise<{ value?: T; timedOut: boolean }> {
  let timedOut = false;
  const fire = () => {
    timedOut = true;
    onTimeout();
  };
  const timer = setTimeout(fire, timeout);
  signal?.addEventListener("abort", fire, { once: true });
  try {
    return { value: await work(), timedOut: false };
  } catch (error) {
    if (timedOut) return { timedOut: true };
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", fire);
  }
}

async function queryUdp(
  server: NameServer,
  query: DnsMessage,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<DnsMessage | undefined> {
  const v6 = isIpv6(server.host);
  const local = isLoopback(server.host) ? server.host : v6 ? "::" : "0.0.0.0";
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: local.startsWith("127.") ? "127.0.0.1" : local,
    port: 0,
  });
  const port = server.port ?? DNS_PORT;
  try {
    const { value } = await withDeadline(timeout, signal, () => conn.close(), async () => {
      await conn.send(encodeDnsMessage(query), { transport: "udp", hostname: server.host, port });
      for (;;) {
        const [bytes, from] = await conn.receive();
        if (
          from.transport !== "udp" || from.port !== port || !sameHost(from.hostname, server.host)
        ) {
          continue; // RFC 5452 9.1: only the server asked may answer
        }
        let answer: DnsMessage;
        try {
          answer = decodeDnsMessage(bytes);
        } catch (error) {
          if (error instanceof DnsParseError) continue;
          throw error;
        }
        if (matches(answer, query)) return answer;
      }
    });
    return value;
  } finally {
    try {
      conn.close();
    } catch {
      // already closed by the deadline
    }
  }
}

async function readExactly(conn: Deno.Conn, size: number): Promise<Uint8Array | undefined> {
  const buffer = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const read = await conn.read(buffer.subarray(filled));
    if (read === null) return undefined;
    filled += read;
  }
  return buffer;
}

async function queryTcp(
  server: NameServer,
  query: DnsMessage,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<DnsMessage | undefined> {
  let conn: Deno.Conn | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    conn?.close();
  };
  try {
    const { value } = await withDeadline(timeout, signal, close, async () => {
      conn = await Deno.connect({ hostname: server.host, port: server.port ?? DNS_PORT });
      if (closed) conn.close();
      const bytes = encodeDnsMessage(query);
      const framed = new Uint8Array(bytes.length + 2);
      framed[0] = bytes.length >> 8;
      framed[1] = bytes.length & 0xff;
      framed.set(bytes, 2);
      let written = 0;
      while (written < framed.length) written += await conn.write(framed.subarray(written));
      const prefix = await readExactly(conn, 2);
      if (!prefix) return undefined;
      const size = (prefix[0] << 8) | prefix[1];
      if (size > MAX_TCP_MESSAGE) return undefined;
      const body = await readExactly(conn, size);
      if (!body) return undefined;
      const answer = decodeDnsMessage(body);
      return matches(answer, query) ? answer : undefined;
    });
    return value;
  } finally {
    close();
  }
}

/**
 * Sends one recursive query for (name, type) to each nameserver in order until one gives a
 * usable answer: NOERROR (with or without records) or NXDOMAIN. Timeouts, SERVFAIL, REFUSED and
 * undecodable answers move on to the next attempt or nameserver. Throws `DnsResolutionError`
 * naming every failure when all fail.
 */
export async function queryNameServers(
  name: string,
  type: DnsRecordType,
  nameservers: readonly NameServer[],
  options: DnsQueryOptions = {},
): Promise<DnsMessage> {
  const timeout = options.timeout ?? 2000;
  const attempts = Math.max(1, options.attempts ?? 1);
  const failures: string[] = [];
  if (nameservers.length === 0) {
    throw new DnsResolutionError(name, type, "no nameserver is configured");
  }
  for (const server of nameservers) {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (options.signal?.aborted) {
        throw new DnsResolutionError(name, type, "the query was aborted", {
          cause: options.signal.reason,
        });
      }
      const query = createDnsQuery((options.randomId ?? randomUint16)(), name, type);
      let answer: DnsMessage | undefined;
      try {
        answer = await queryUdp(server, query, timeout, options.signal);
        if (answer?.truncated) {
          answer = await queryTcp(server, query, timeout, options.signal);
          if (!answer) {
            failures.push(`${describe(server)} truncated the UDP answer and TCP failed`);
            options.onFailure?.(server);
            continue;
          }
        }
      } catch (error) {
        failures.push(`${describe(server)} failed (${(error as Error).message})`);
        options.onFailure?.(server);
        continue;
      }
      if (!answer) {
        failures.push(`${describe(server)} timed out after ${timeout} ms`);
        options.onFailure?.(server);
        continue;
      }
      const rcode = answer.rcode ?? 0;
      if (rcode === DNS_RCODES.NOERROR || rcode === DNS_RCODES.NXDOMAIN) return answer;
      const rcodeName = Object.entries(DNS_RCODES).find(([, code]) => code === rcode)?.[0];
      failures.push(`${describe(server)} answered ${rcodeName ?? `rcode ${rcode}`}`);
      options.onFailure?.(server);
    }
  }
  throw new DnsResolutionError(name, type, `no nameserver answered: ${failures.join("; ")}`);
}
