// Shared helpers of the transport tests: SIP fixtures, an event inbox, certificates made
// with openssl, and raw socket reads.

import type { SipMessage } from "../../../mod/signaling/message/mod.ts";
import {
  type Flow,
  type TransportEvents,
  TransportLayer,
} from "../../../mod/signaling/transport/mod.ts";

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** A complete OPTIONS request, as a SIP phone sends it. */
export function optionsRequest(transport: string, branch = "z9hG4bK-t1"): string {
  return [
    "OPTIONS sip:gateway@127.0.0.1 SIP/2.0",
    `Via: SIP/2.0/${transport} 127.0.0.1:5099;branch=${branch};rport`,
    "Max-Forwards: 70",
    "From: <sip:alice@example.com>;tag=a1",
    "To: <sip:gateway@127.0.0.1>",
    `Call-ID: ${branch}@test`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
  ].join("\r\n") + "\r\n\r\n";
}

/** An OPTIONS request whose body makes it `size` bytes or more. */
export function bigRequest(transport: string, size: number): string {
  const body = "x".repeat(size);
  return optionsRequest(transport, "z9hG4bK-big").replace(
    "Content-Length: 0\r\n\r\n",
    `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
}

/** A request with a readable Via but a broken CSeq: answered with a stateless 400. */
export function malformedWithVia(transport: string): string {
  return [
    "OPTIONS sip:gateway@127.0.0.1 SIP/2.0",
    `Via: SIP/2.0/${transport} 127.0.0.1:5099;branch=z9hG4bK-bad`,
    "Max-Forwards: 70",
    "From: <sip:alice@example.com>;tag=a1",
    "To: <sip:gateway@127.0.0.1>",
    "Call-ID: bad@test",
    "CSeq: not-a-number OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** Bytes that are no SIP message at all: no Via to answer to. */
export const GARBAGE_WITHOUT_VIA = "this is not SIP\r\nat: all\r\n\r\n";

/** Records what the transport layer reports; `nextMessage()` waits for the next one. */
export class Inbox implements TransportEvents {
  readonly messages: { message: SipMessage; flow: Flow }[] = [];
  readonly closedFlows: Flow[] = [];
  #waiters: (() => void)[] = [];

  onMessage(message: SipMessage, flow: Flow): void {
    this.messages.push({ message, flow });
    this.#wake();
  }

  onFlowClosed(flow: Flow): void {
    this.closedFlows.push(flow);
    this.#wake();
  }

  /** Waits until `predicate` holds, for at most `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#waiters.push(resolve);
      const timer = setTimeout(resolve, Math.min(left, 50));
      await promise;
      clearTimeout(timer);
    }
  }

  /** Waits for the message number `index` (0-based). */
  async message(index = 0): Promise<{ message: SipMessage; flow: Flow }> {
    await this.until(() => this.messages.length > index, `message #${index}`);
    return this.messages[index];
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Polls `predicate` (for effects that no event announces), for at most `timeoutMs`. */
export async function eventually(
  predicate: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** PEM files of a test CA and a leaf for 127.0.0.1 / ::1 / localhost signed by it. */
export interface TestCertificates {
  ca: string;
  cert: string;
  key: string;
  dir: string;
  paths: { ca: string; cert: string; key: string };
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`openssl ${args[0]} failed: ${decoder.decode(stderr)}`);
}

/** Makes a CA and a leaf certificate in a temporary directory with the openssl command. */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await Deno.makeTempDir({ prefix: "transport_tls_" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(dir, [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=Transport Test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await openssl(dir, [
    "req",
    ...ec,
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=localhost",
  ]);
  await Deno.writeTextFile(
    `${dir}/leaf.ext`,
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n" +
      "extendedKeyUsage=serverAuth,clientAuth\n" +
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "leaf.pem",
    "-days",
    "2",
    "-extfile",
    "leaf.ext",
  ]);
  const paths = { ca: `${dir}/ca.pem`, cert: `${dir}/leaf.pem`, key: `${dir}/leaf.key` };
  return {
    ca: await Deno.readTextFile(paths.ca),
    cert: await Deno.readTextFile(paths.cert),
    key: await Deno.readTextFile(paths.key),
    dir,
    paths,
  };
}

/** Reads from `conn` until the text read so far satisfies `done`; null on EOF first. */
export async function readUntil(
  conn: Deno.Conn,
  done: (text: string) => boolean,
  timeoutMs = 5000,
): Promise<string | null> {
  let text = "";
  const buffer = new Uint8Array(65536);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    while (!done(text)) {
      const n = await conn.read(buffer);
      if (n === null) return null;
      text += decoder.decode(buffer.subarray(0, n));
    }
    return text;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether IPv6 loopback can be bound. */
export function hasIpv6(): boolean {
  try {
    const socket = Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 });
    socket.close();
    return true;
  } catch {
    return false;
  }
}

/** A WebSocket client that queues what it receives. */
export class WsClient {
  readonly socket: WebSocket;
  readonly received: (string | Uint8Array)[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;

  constructor(url: string, options: { protocols?: string | string[]; caCerts?: string[] } = {}) {
    const client = options.caCerts
      ? Deno.createHttpClient({ caCerts: options.caCerts })
      : undefined;
    this.socket = new WebSocket(url, { protocols: [options.protocols ?? "sip"].flat(), client });
    this.socket.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener("open", () => resolve(), { once: true });
      this.socket.addEventListener("error", () => reject(new Error("WebSocket failed")), {
        once: true,
      });
    });
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener("close", () => {
        client?.close();
        resolve();
      }, { once: true });
    });
    this.socket.addEventListener("message", (event) => {
      this.received.push(
        typeof event.data === "string" ? event.data : new Uint8Array(event.data as ArrayBuffer),
      );
    });
  }

  /** Waits for the frame number `index` (0-based). */
  async frame(index = 0): Promise<string | Uint8Array> {
    await eventually(() => this.received.length > index, `WebSocket frame #${index}`);
    return this.received[index];
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}

/** Sends a raw HTTP request and returns the whole answer head and body read. */
export async function rawHttp(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(head));
    return await readUntil(conn, (text) => {
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const length = /content-length: *(\d+)/i.exec(text.slice(0, end));
      return !length || text.length >= end + 4 + Number(length[1]);
    }) ?? "";
  } finally {
    conn.close();
  }
}

/** The head of a WebSocket upgrade request, with the subprotocols given (none when empty). */
export function upgradeRequest(protocols: string[]): string {
  return [
    "GET / HTTP/1.1",
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...(protocols.length ? [`Sec-WebSocket-Protocol: ${protocols.join(", ")}`] : []),
  ].join("\r\n") + "\r\n\r\n";
}

/** A layer listening on TCP 127.0.0.1 (a free port), and that port. */
export async function tcpLayer(
  inbox: Inbox,
  options: ConstructorParameters<typeof TransportLayer>[1] = {},
): Promise<{ layer: TransportLayer; port: number }> {
  const layer = new TransportLayer(inbox, options);
  const transport = await layer.listen({ protocol: "tcp", hostname: "127.0.0.1", port: 0 });
  return { layer, port: transport.local.port };
}

/**
 * Runs `fn` with a TCP layer (see {@linkcode tcpLayer}) and a connection to it; closes both
 * afterwards.
 */
export async function withTcpConnection(
  fn: (
    s: { inbox: Inbox; layer: TransportLayer; port: number; conn: Deno.TcpConn },
  ) => Promise<void>,
  options: ConstructorParameters<typeof TransportLayer>[1] = {},
): Promise<void> {
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox, options);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await fn({ inbox, layer, port, conn });
  } finally {
    conn.close();
    await layer.close();
  }
}

/** The next datagram `socket` receives, as text; the socket is closed past `timeoutMs`. */
export async function receiveText(socket: Deno.DatagramConn, timeoutMs = 5000): Promise<string> {
  const timer = setTimeout(() => socket.close(), timeoutMs);
  try {
    const [bytes] = await socket.receive();
    return decoder.decode(bytes);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes every one of `closables`, ignoring those already closed (by the test or a timeout). */
export function closeQuietly(...closables: { close(): void }[]): void {
  for (const closable of closables) {
    try {
      closable.close();
    } catch {
      // already closed
    }
  }
}
