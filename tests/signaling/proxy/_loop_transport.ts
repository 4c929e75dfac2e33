/**
 * A PJSIP-style loop transport for proxy tests: flows that record what is sent on them
 * instead of touching sockets, a transport layer over them, and a fake transaction layer
 * that records client transactions and lets tests answer them.
 *
 * @module
 */

import {
  parseMessage,
  serializeMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from "../../../mod/signaling/message/mod.ts";
import type {
  Endpoint,
  Flow,
  Transport,
  TransportProtocol,
} from "../../../mod/signaling/transport/transport.ts";
import type {
  ProxyClientEvents,
  ProxyClientTransaction,
  ProxyLog,
  ProxyServerTransaction,
  ProxyTransactions,
  ProxyTransports,
} from "../../../mod/signaling/proxy/ports.ts";

let nextId = 1;

/** A flow whose sends are recorded (as parsed messages). */
export class LoopFlow implements Flow {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly reliable: boolean;
  readonly sent: SipMessage[] = [];
  #closed = false;

  constructor(protocol: TransportProtocol, local: Endpoint, remote: Endpoint) {
    this.id = `${protocol}-${nextId++}`;
    this.protocol = protocol;
    this.local = local;
    this.remote = remote;
    this.reliable = protocol !== "udp";
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("flow closed"));
    this.sent.push(parseMessage(bytes));
    return Promise.resolve();
  }

  close(): void {
    this.#closed = true;
  }
}

/** A listening transport that makes {@linkcode LoopFlow}s. */
export class LoopTransport implements Transport {
  readonly protocol: TransportProtocol;
  readonly local: Endpoint;
  readonly flows = new Map<string, LoopFlow>();
  /** Destinations that refuse connections (`host:port`). */
  readonly unreachable = new Set<string>();

  constructor(protocol: TransportProtocol, local: Endpoint) {
    this.protocol = protocol;
    this.local = local;
  }

  flowTo(dest: Endpoint): Promise<Flow> {
    const key = `${dest.host}:${dest.port}`;
    if (this.unreachable.has(key)) return Promise.reject(new Error(`refused ${key}`));
    let flow = this.flows.get(key);
    if (flow === undefined || flow.closed) {
      flow = new LoopFlow(this.protocol, this.local, dest);
      this.flows.set(key, flow);
    }
    return Promise.resolve(flow);
  }

  /** A flow opened by a peer (a browser's WebSocket, a SIP client). */
  accept(remote: Endpoint): LoopFlow {
    const flow = new LoopFlow(this.protocol, this.local, remote);
    this.flows.set(`${remote.host}:${remote.port}`, flow);
    return flow;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The transport layer over loop transports. */
export class LoopTransports implements ProxyTransports {
  readonly transports: LoopTransport[];

  constructor(transports: LoopTransport[]) {
    this.transports = transports;
  }

  get(protocol: TransportProtocol): LoopTransport {
    const found = this.transports.find((t) => t.protocol === protocol);
    if (!found) throw new Error(`no ${protocol} transport`);
    return found;
  }

  flow(id: string): Flow | undefined {
    for (const t of this.transports) {
      for (const flow of t.flows.values()) if (flow.id === id && !flow.closed) return flow;
    }
    return undefined;
  }

  flowTo(protocol: TransportProtocol, dest: Endpoint): Promise<Flow> {
    return this.get(protocol).flowTo(dest);
  }

  send(message: SipMessage | Uint8Array, flow: Flow): Promise<void> {
    return flow.send(message instanceof Uint8Array ? message : serializeMessage(message));
  }
}

/** A server transaction recording the responses the proxy gives it. */
export class FakeServerTransaction implements ProxyServerTransaction {
  readonly request: SipRequest;
  readonly flow: Flow;
  readonly responses: SipResponse[] = [];

  constructor(request: SipRequest, flow: Flow) {
    this.request = request;
    this.flow = flow;
  }

  respond(response: SipResponse): void {
    // What the wire would carry: a parse of the serialized response.
    const copy = parseMessage(serializeMessage(response));
    if (copy.kind !== "response") throw new Error("not a response");
    this.responses.push(copy);
  }

  /** Status codes answered, in order. */
  get statuses(): number[] {
    return this.responses.map((r) => r.status);
  }

  last(): SipResponse {
    const r = this.responses.at(-1);
    if (!r) throw new Error("no response");
    return r;
  }
}

/** A client transaction the proxy started. */
export interface FakeClient {
  request: SipRequest;
  flow: Flow;
  events: ProxyClientEvents;
  cancelled: boolean;
  failed: boolean;
}

/** Records client transactions; `failFlow` fails the pending ones on that flow. */
export class FakeTransactions implements ProxyTransactions {
  readonly clients: FakeClient[] = [];

  sendRequest(request: SipRequest, flow: Flow, events: ProxyClientEvents): ProxyClientTransaction {
    const copy = parseMessage(serializeMessage(request));
    if (copy.kind !== "request") throw new Error("not a request");
    const client: FakeClient = { request: copy, flow, events, cancelled: false, failed: false };
    this.clients.push(client);
    return {
      cancel() {
        client.cancelled = true;
      },
    };
  }

  failFlow(flowId: string): void {
    for (const client of this.clients) {
      if (client.flow.id === flowId && !client.failed) {
        client.failed = true;
        client.events.onTransportError(new Error("flow closed"));
      }
    }
  }

  last(): FakeClient {
    const c = this.clients.at(-1);
    if (!c) throw new Error("no client transaction");
    return c;
  }
}

/** A logger that keeps lines for assertions. */
export class MemoryLog implements ProxyLog {
  readonly lines: string[] = [];
  debug(message: string): void {
    this.lines.push(`DEBUG ${message}`);
  }
  info(message: string): void {
    this.lines.push(`INFO ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`WARN ${message}`);
  }
  error(message: string): void {
    this.lines.push(`ERROR ${message}`);
  }
}

/** Lets pending promise callbacks run (the proxy resolves DNS and flows asynchronously). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
