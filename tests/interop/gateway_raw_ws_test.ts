/**
 * Browsers without a SIP stack through the real gateway. A sipML5-style client: a raw
 * WebSocket sending the
 * exact shapes sipML5 sends (its `sipml5-outbound` Route on every request, the
 * `df7jal23ls0d.invalid` Via and Contact, no `Supported: path`), Kamailio as the registrar
 * behind the gateway, SIPp as the legacy phone. And what happens to a request for a client
 * whose WebSocket is gone: 430/480 at once toward the SIP side, no retransmission until
 * timeout.
 */

import { createHash } from "node:crypto";
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { gatewayLog, startTestGateway, withLogs } from "./_gateway.ts";
import { kamailioLog, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { delay, skipWhen, waitFor, withTimeout } from "./_process.ts";
import { runSipp, sippSkipReason, startSippUas } from "./_sipp.ts";
import { openSipWebSocket } from "./_websocket.ts";

const { test, suffix } = skipWhen(kamailioSkipReason(), sippSkipReason());

const INVALID_HOST = "df7jal23ls0d.invalid";
const SIPML5_UA = "IM-client/OMA1.0 sipML5-v1.2016.03.04";
const ALLOW = "ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER";

function random(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

/** One header value of a SIP message's text (first match, compact forms not handled). */
function header(text: string, name: string): string | undefined {
  return headers(text, name)[0];
}

/** Every field line value of `name` in a message's head. */
function headers(text: string, name: string): string[] {
  const head = text.split("\r\n\r\n")[0];
  const pattern = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, "gim");
  return [...head.matchAll(pattern)].map((m) => m[1].trim());
}

function firstLine(text: string): string {
  return text.slice(0, text.indexOf("\r\n"));
}

function cseqOf(text: string): string {
  return header(text, "CSeq") ?? "";
}

/**
 * A browser without a SIP stack: a raw WebSocket (subprotocol `sip`) sending text frames and
 * queueing what arrives.
 */
class RawWsClient {
  #socket: WebSocket;
  #queue: string[] = [];
  #waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      this.#queue.push(String(event.data));
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
  }

  static async connect(url: string): Promise<RawWsClient> {
    const socket = await openSipWebSocket(url, 5000);
    assertEquals(socket.protocol, "sip");
    return new RawWsClient(socket);
  }

  send(lines: string[], body = ""): void {
    const head = lines.filter((line) => !/^Content-Length:/i.test(line));
    head.push(`Content-Length: ${new TextEncoder().encode(body).length}`);
    this.#socket.send(head.join("\r\n") + "\r\n\r\n" + body);
  }

  /** The next received frame for which `accept` is true (others stay queued). */
  async next(what: string, accept: (text: string) => boolean, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.#queue.findIndex(accept);
      if (index >= 0) return this.#queue.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
      await withTimeout(
        what,
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        left,
      ).catch(() => {});
    }
  }

  /** The next response to the request with this CSeq. */
  response(cseq: string, accept: (status: number) => boolean = (s) => s >= 200): Promise<string> {
    return this.next(`a response to ${cseq}`, (text) => {
      const status = text.match(/^SIP\/2\.0 (\d{3}) /)?.[1];
      return status !== undefined && accept(Number(status)) && cseqOf(text) === cseq;
    });
  }

  async close(): Promise<void> {
    if (this.#socket.readyState !== WebSocket.CLOSED) {
      this.#socket.close();
      await withTimeout("WebSocket close", this.closed, 5000);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The response sent back for a request received as text (Via, From, To, Call-ID, CSeq). */
function responseTo(request: string, status: string, extra: string[] = []): string[] {
  const lines = [`SIP/2.0 ${status}`];
  for (const via of headers(request, "Via")) lines.push(`Via: ${via}`);
  lines.push(`From: ${header(request, "From")}`);
  const to = header(request, "To")!;
  lines.push(`To: ${/;tag=/.test(to) ? to : `${to};tag=${random()}`}`);
  lines.push(`Call-ID: ${header(request, "Call-ID")}`);
  lines.push(`CSeq: ${cseqOf(request)}`);
  return [...lines, ...extra];
}

/**
 * A UDP relay that records what passes: the gateway sends to `port`, the relay forwards to
 * `target` from a second socket and sends the answers back. Kamailio's own requests toward
 * the gateway do not pass here (they go to the Contact or Path).
 */
class UdpTap {
  readonly port: number;
  /** Datagrams from the gateway, as text, in order. */
  readonly seen: string[] = [];
  #front: Deno.DatagramConn;
  #back: Deno.DatagramConn;
  #client?: Deno.NetAddr;
  #loops: Promise<void>[];

  constructor(target: { host: string; port: number }) {
    this.#front = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    this.#back = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    this.port = (this.#front.addr as Deno.NetAddr).port;
    const to = { transport: "udp" as const, hostname: target.host, port: target.port };
    this.#loops = [
      this.#pump(this.#front, async (data, from) => {
        this.#client = from;
        this.seen.push(new TextDecoder().decode(data));
        await this.#back.send(data, to);
      }),
      this.#pump(this.#back, async (data) => {
        if (this.#client) await this.#front.send(data, this.#client);
      }),
    ];
  }

  /** Source address of the last datagram from the gateway. */
  get client(): Deno.NetAddr | undefined {
    return this.#client;
  }

  async #pump(
    socket: Deno.DatagramConn,
    onData: (data: Uint8Array, from: Deno.NetAddr) => Promise<void>,
  ): Promise<void> {
    try {
      for (;;) {
        const [data, from] = await socket.receive();
        await onData(data, from as Deno.NetAddr).catch(() => {});
      }
    } catch {
      // closed
    }
  }

  async close(): Promise<void> {
    this.#front.close();
    this.#back.close();
    await Promise.all(this.#loops);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

interface Sipml5Account {
  user: string;
  domain: string;
  password: string;
  /** host:port of the outbound proxy sipML5 names in its Route. */
  outbound: string;
}

/** sipML5's Route on every request when an outbound proxy is configured. */
function sipml5Route(account: Sipml5Account): string {
  return `Route: <sip:${account.outbound};lr;sipml5-outbound;transport=udp>`;
}

function sipml5Via(): string {
  return `Via: SIP/2.0/WS ${INVALID_HOST};branch=z9hG4bK${random()};rport`;
}

function sipml5Contact(account: Sipml5Account, expires: boolean): string {
  const uri =
    `"${account.user}"<sip:${account.user}@${INVALID_HOST};rtcweb-breaker=no;transport=ws>`;
  return expires
    ? `Contact: ${uri};expires=200;click2call=no;+g.oma.sip-im;+audio;language="en,fr"`
    : `Contact: ${uri};click2call=no;+g.oma.sip-im;+audio;language="en,fr"`;
}

/** sipML5's REGISTER, answered the 401 with digest; resolves with the final response. */
function sipml5Register(ws: RawWsClient, account: Sipml5Account): Promise<string> {
  return register(ws, account, [
    sipml5Contact(account, true),
    `User-Agent: ${SIPML5_UA}`,
    "Organization: Doubango Telecom",
    sipml5Route(account),
    `Allow: ${ALLOW}`,
  ]);
}

/**
 * The REGISTER of an RFC 5626 client (JsSIP's shape: `Supported: path, outbound`, reg-id and
 * +sip.instance), straight to the domain (no Route); resolves with the final response.
 */
function outboundRegister(ws: RawWsClient, account: Sipml5Account): Promise<string> {
  return register(ws, account, [
    `Contact: <sip:${account.user}@${INVALID_HOST};transport=ws>;+sip.ice;reg-id=1;` +
    `+sip.instance="<urn:uuid:${crypto.randomUUID()}>";expires=600`,
    "Supported: path,gruu,outbound",
    `Allow: ${ALLOW}`,
  ]);
}

/** REGISTER with `extra` header lines, answering a 401 with digest. */
async function register(
  ws: RawWsClient,
  account: Sipml5Account,
  extra: string[],
): Promise<string> {
  const callId = random();
  const tag = random();
  const aor = `sip:${account.user}@${account.domain}`;
  const lines = (cseq: number, auth: string[]) => [
    `REGISTER sip:${account.domain} SIP/2.0`,
    sipml5Via(),
    `From: "${account.user}"<${aor}>;tag=${tag}`,
    `To: "${account.user}"<${aor}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    "Max-Forwards: 70",
    ...extra,
    ...auth,
  ];
  ws.send(lines(1, []));
  const challenge = await ws.response("1 REGISTER");
  if (!firstLine(challenge).startsWith("SIP/2.0 401")) return challenge;
  const params = header(challenge, "WWW-Authenticate")!;
  const realm = params.match(/realm="([^"]*)"/)![1];
  const nonce = params.match(/nonce="([^"]*)"/)![1];
  const uri = `sip:${account.domain}`;
  const ha1 = md5(`${account.user}:${realm}:${account.password}`);
  const response = md5(`${ha1}:${nonce}:${md5(`REGISTER:${uri}`)}`);
  ws.send(lines(2, [
    `Authorization: Digest username="${account.user}",realm="${realm}",nonce="${nonce}",` +
    `uri="${uri}",response="${response}",algorithm=MD5`,
  ]));
  return await ws.response("2 REGISTER");
}

/** Answers the next INVITE with 200 + SDP and waits for the ACK; returns the INVITE. */
async function answerInvite(ws: RawWsClient, account: Sipml5Account): Promise<string> {
  const invite = await ws.next("an INVITE", (t) => t.startsWith("INVITE "));
  const sdp = [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    "m=audio 40000 RTP/AVP 0",
    "a=sendrecv",
    "",
  ].join("\r\n");
  const rr = headers(invite, "Record-Route").map((value) => `Record-Route: ${value}`);
  ws.send(
    responseTo(invite, "200 OK", [
      ...rr,
      // sipML5 writes a display name here; SIPp 3.6 would copy the whole value ("name" <uri>;
      // params) into the Request-URI of its ACK and BYE, so the URI alone.
      `Contact: <sip:${account.user}@${INVALID_HOST};transport=ws>`,
      "Content-Type: application/sdp",
    ]),
    sdp,
  );
  const callId = header(invite, "Call-ID");
  await ws.next("the ACK", (t) => t.startsWith("ACK ") && header(t, "Call-ID") === callId);
  return invite;
}

Deno.test({
  ...test,
  name:
    `startGateway() relays sipML5's REGISTER by its outbound Route and SIPp's call back by ws-src-*${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: false });
    await using gw = await startTestGateway({ transports: ["udp", "ws"] });
    await using tap = new UdpTap({ host: k.host, port: k.udpPort });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using ws = await RawWsClient.connect(gw.wsUrl!);
      const account = {
        user: "carol",
        domain: k.domain, // interop.test: only the Route says where Kamailio is
        password: k.password,
        outbound: `127.0.0.1:${tap.port}`,
      };
      const ok = await sipml5Register(ws, account);
      assertEquals(firstLine(ok), "SIP/2.0 200 OK", ok);
      // The browser gets its own Via back, untouched.
      assertEquals(headers(ok, "Via").length, 1);
      assertStringIncludes(header(ok, "Via")!, `SIP/2.0/WS ${INVALID_HOST};branch=z9hG4bK`);

      // What Kamailio received: from the gateway's UDP socket, to the Route's address.
      assertEquals(tap.client?.port, gw.port("udp"));
      const register = tap.seen.filter((t) => t.startsWith("REGISTER "));
      assertEquals(register.length, 2, tap.seen.join("\n----\n"));
      const sent = register[1];
      assertEquals(firstLine(sent), `REGISTER sip:${k.domain} SIP/2.0`);
      assertEquals(headers(sent, "Route"), [], "the sipml5-outbound Route was dropped");
      assertEquals(headers(sent, "Path"), [], "no Path without Supported: path");
      const vias = headers(sent, "Via");
      assertEquals(vias.length, 2, vias.join("\n"));
      assert(vias[0].startsWith(`SIP/2.0/UDP 127.0.0.1:${gw.port("udp")};branch=z9hG4bK`), vias[0]);
      const hacked = vias[1].match(/^SIP\/2\.0\/TCP 127\.0\.0\.1:(\d+);branch=z9hG4bK\w+;(.*)$/);
      assert(hacked, vias[1]);
      assertStringIncludes(hacked[2], "ws-hacked=WS");
      const browserPort = hacked[1];
      const contact = header(sent, "Contact")!;
      const contactUri = contact.match(/<([^>]+)>/)![1];
      assert(
        contactUri.startsWith(`sip:carol@127.0.0.1:${gw.port("udp")};`),
        `Contact host:port is the gateway's: ${contactUri}`,
      );
      for (
        const param of ["ws-src-ip=127.0.0.1", `ws-src-port=${browserPort}`, "ws-src-proto=ws"]
      ) {
        assertStringIncludes(contactUri, param);
      }
      assertStringIncludes(contactUri, "rtcweb-breaker=no");
      assertStringIncludes(contact, 'language="en,fr"');
      assertStringIncludes(await k.log(), `challenging REGISTER from 127.0.0.1:`);

      // SIPp -> Kamailio -> (registered Contact, no Path) -> gateway -> the raw WebSocket.
      const caller = runSipp({
        scenario: "uac_invite",
        remote: { host: k.host, port: k.udpPort },
        domain: k.domain,
        service: "carol",
        pauseMs: 200,
      });
      const invite = await answerInvite(ws, account);
      const bye = await ws.next("SIPp's BYE", (t) => t.startsWith("BYE "));
      ws.send(responseTo(bye, "200 OK"));
      const result = await caller;
      assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
      assertEquals(result.successful, 1);
      // The INVITE found the browser through the ws-src-* of the Request-URI.
      assertStringIncludes(firstLine(invite), `ws-src-port=${browserPort}`);
      assertEquals(tap.seen.filter((t) => t.startsWith("INVITE ")).length, 0);
    });
  },
});

Deno.test({
  ...test,
  name:
    `startGateway() relays sipML5's INVITE by its outbound Route to SIPp, then ACK and BYE by the route set${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: false });
    await using gw = await startTestGateway({ transports: ["udp", "ws"] });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using ws = await RawWsClient.connect(gw.wsUrl!);
      const account = {
        user: "carol",
        domain: k.domain,
        password: k.password,
        outbound: k.address,
      };
      await using bob = await startSippUas({ scenario: "uas_answer", traceMessages: true });
      const callId = random();
      const tag = random();
      const target = `sip:bob@127.0.0.1:${bob.port}`;
      const from = `From: "carol"<sip:carol@${k.domain}>;tag=${tag}`;
      ws.send(
        [
          `INVITE ${target} SIP/2.0`,
          sipml5Via(),
          from,
          `To: <${target}>`,
          sipml5Contact(account, false),
          `Call-ID: ${callId}`,
          "CSeq: 7 INVITE",
          "Content-Type: application/sdp",
          "Max-Forwards: 70",
          `User-Agent: ${SIPML5_UA}`,
          "Organization: Doubango Telecom",
          sipml5Route(account),
          `Allow: ${ALLOW}`,
          "Supported: timer",
        ],
        "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
          "m=audio 40002 RTP/AVP 0 8\r\na=sendrecv\r\n",
      );
      const ok = await ws.response("7 INVITE");
      assertEquals(firstLine(ok), "SIP/2.0 200 OK", ok);
      // UAC route set: the Record-Route in reverse; sipML5 still puts its outbound Route first.
      const routeSet = headers(ok, "Record-Route").flatMap((v) => v.split(/,\s*(?=<)/)).reverse();
      assert(routeSet.length >= 2, `Record-Route: ${routeSet.join(", ")}`);
      const remoteTarget = header(ok, "Contact")!.match(/<([^>]+)>/)![1];
      const to = header(ok, "To")!;
      const inDialog = (method: string, cseq: number) => [
        `${method} ${remoteTarget} SIP/2.0`,
        sipml5Via(),
        from,
        `To: ${to}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
        "Max-Forwards: 70",
        `User-Agent: ${SIPML5_UA}`,
        sipml5Route(account),
        ...routeSet.map((r) => `Route: ${r}`),
      ];
      ws.send(inDialog("ACK", 7));
      await delay(100);
      ws.send(inDialog("BYE", 8));
      const byeOk = await ws.response("8 BYE");
      assertEquals(firstLine(byeOk), "SIP/2.0 200 OK", byeOk);
      const result = await bob.result;
      assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
      assertEquals(result.successful, 1);
      // SIPp got the INVITE through Kamailio (its Record-Route) and the gateway (its Via).
      const atSipp = result.messages.split(/^-{10,}.*$/m).find((m) =>
        m.includes("INVITE sip:bob@")
      )!;
      assertStringIncludes(atSipp, `Record-Route: <sip:127.0.0.1:${k.udpPort};lr=on>`);
      assertStringIncludes(atSipp, `Via: SIP/2.0/UDP 127.0.0.1:${gw.port("udp")};`);
      assertStringIncludes(atSipp, "ws-hacked=WS");
      assert(!/sipml5-outbound/.test(atSipp), "the sipml5-outbound Route was dropped");
    });
  },
});

/** A SIPp UAC whose INVITE must fail at once with 430 or 480 (then ACK). */
const EXPECT_FAILURE_SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="uac_invite_expect_430_480">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[domain]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true" />
  <recv response="430" optional="true" next="ack" />
  <recv response="480" />
  <label id="ack" />
  <send>
    <![CDATA[

      ACK sip:[service]@[domain] SIP/2.0
      [last_Via:]
      From: <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="100" />
</scenario>
`;

/** Timestamps (ms since the epoch) and first lines of SIPp's `-trace_msg` entries. */
function traceEntries(messages: string): { at: number; sent: boolean; line: string }[] {
  const entries: { at: number; sent: boolean; line: string }[] = [];
  const pattern =
    /^-{10,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*\n(UDP message (sent|received)[^\n]*)\n\n([^\n]*)/gm;
  for (const m of messages.matchAll(pattern)) {
    entries.push({
      at: Date.parse(m[1].replace(" ", "T").slice(0, 23)),
      sent: m[3] === "sent",
      line: m[4].trim(),
    });
  }
  return entries;
}

for (const shape of ["sipML5 (ws-src-* Contact, no Path)", "RFC 5626 (Path with flow token)"]) {
  const sipml5 = shape.startsWith("sipML5");
  Deno.test({
    ...test,
    name:
      `startGateway() answers a request for a closed WebSocket with 430/480 at once: ${shape}${suffix}`,
    async fn() {
      await using k = await startKamailio({ tls: false });
      await using gw = await startTestGateway({ transports: ["udp", "ws"] });
      const dir = await Deno.makeTempDir({ prefix: "gateway_closed_flow_" });
      try {
        await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
          const scenario = `${dir}/uac_invite_expect_430_480.xml`;
          await Deno.writeTextFile(scenario, EXPECT_FAILURE_SCENARIO);
          const ws = await RawWsClient.connect(gw.wsUrl!);
          const account = {
            user: "dave",
            domain: sipml5 ? k.domain : k.address,
            password: k.password,
            outbound: k.address,
          };
          const ok = sipml5
            ? await sipml5Register(ws, account)
            : await outboundRegister(ws, account);
          assertEquals(firstLine(ok), "SIP/2.0 200 OK", ok);
          const stored = headers(ok, "Contact").join(",");
          assertStringIncludes(stored, "ws-src-proto=ws");
          // The browser goes away without unregistering.
          await ws.close();
          await waitFor("the gateway to drop the flow", () => {
            const stats = gw.gateway.stats() as { transport: { flows: number } };
            return stats.transport.flows === 0;
          }, { timeoutMs: 3000 });

          const started = Date.now();
          const result = await runSipp({
            scenario,
            remote: { host: k.host, port: k.udpPort },
            domain: account.domain,
            service: "dave",
            traceMessages: true,
            timeoutMs: 10_000,
          });
          const elapsed = Date.now() - started;
          assertEquals(result.code, 0, result.errors || result.messages.slice(-3000));
          const entries = traceEntries(result.messages);
          const invites = entries.filter((e) => e.sent && e.line.startsWith("INVITE "));
          assertEquals(invites.length, 1, "SIPp never had to retransmit its INVITE");
          const final = entries.find((e) => !e.sent && /^SIP\/2\.0 4[38]0 /.test(e.line));
          assert(final, result.messages.slice(-3000));
          const expected = sipml5 ? "SIP/2.0 480" : "SIP/2.0 430";
          assert(final.line.startsWith(expected), `${final.line}, expected ${expected}`);
          const latency = final.at - invites[0].at;
          assert(latency < 400, `answered in ${latency} ms (T1 is 500 ms)`);
          assert(elapsed < 5000, `SIPp ran ${elapsed} ms`);
          const proxy = (gw.gateway.stats() as { proxy: { rejected: number } }).proxy;
          assert(proxy.rejected >= 1, JSON.stringify(proxy));
        });
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}
