/**
 * The interop scenarios that run both against Kamailio's own WebSocket listener
 * (`peers_test.ts`) and through the gateway (`gateway_*_test.ts`): a WebSocket client
 * (JsSIP, SIP.js, in this process or in a child) and SIPp, one reaching the other through the
 * registrar. Each step asserts what SIPp and the client saw, and returns what the caller checks
 * further (SIPp's result with its trace, the messages received).
 *
 * @module
 */

import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import type { Kamailio } from "./_kamailio.ts";
import { runSipp, type SippResult, startSippUas } from "./_sipp.ts";

/** Where SIPp sends its requests, and the domain of the AoRs it calls. */
export interface SippRoute {
  remote: { host: string; port: number };
  domain: string;
}

/**
 * SIPp sends to Kamailio's UDP port; AoRs in `domain` (Kamailio's own address by default: a
 * domain that needs no DNS).
 */
export function sippToKamailio(k: Kamailio, domain: string = k.address): SippRoute {
  return { remote: { host: k.host, port: k.udpPort }, domain };
}

/** What the steps use of a client: `JsSipClient`, `SipJsClient` and `ClientProcess` all fit. */
export interface ScenarioClient<S, E = unknown> {
  register(): Promise<void>;
  sendMessage(target: string, body: string): Promise<void>;
  nextMessage(): Promise<{ from: string; body: string }>;
  nextCall(): Promise<S>;
  answer(session: S): Promise<void>;
  hangup(session: S): Promise<void>;
  ended(session: S): Promise<E>;
}

/** A client that places calls, sessions of type `S`. */
export interface ScenarioCaller<S> {
  call(target: string): Promise<S>;
  hangup(session: S): Promise<void>;
}

/** Asserts that SIPp exited 0 after `successful` calls; its errors or screen otherwise. */
export function assertSippPassed(result: SippResult, successful?: number): void {
  assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
  if (successful !== undefined) assertEquals(result.successful, successful);
}

/** The one message of SIPp's trace that contains `firstLine`. */
export function traced(messages: string, firstLine: string): string {
  const found = messages.split(/^-{10,}.*$/m).find((m) => m.includes(firstLine));
  assert(found, `no "${firstLine}" in SIPp's trace:\n${messages.slice(-3000)}`);
  return found;
}

/**
 * Registers `client` through the gateway: Kamailio challenged the REGISTER arriving from the
 * gateway's UDP socket, and the client's answer (relayed as is) passed (the 200 reached it).
 */
export async function registerThroughGateway(
  client: Pick<ScenarioClient<unknown>, "register">,
  k: Kamailio,
  gw: { port(protocol: "udp"): number },
): Promise<void> {
  await client.register();
  assertStringIncludes(await k.log(), `challenging REGISTER from 127.0.0.1:${gw.port("udp")}`);
}

/**
 * SIPp calls `user` (scenario `uac_invite`), the client answers, SIPp hangs up 300 ms later.
 * Returns how the client saw the session end and SIPp's result (traced when asked).
 */
export async function answerSippCall<S, E>(
  client: ScenarioClient<S, E>,
  route: SippRoute,
  user: string,
  options: { traceMessages?: boolean } = {},
): Promise<{ end: E; result: SippResult }> {
  const caller = runSipp({
    scenario: "uac_invite",
    ...route,
    service: user,
    pauseMs: 300,
    traceMessages: options.traceMessages,
  });
  const session = await client.nextCall();
  await client.answer(session);
  const end = await client.ended(session);
  const result = await caller;
  assertSippPassed(result, 1);
  return { end, result };
}

/**
 * SIPp calls `user` and waits for the BYE (scenario `uac_invite_wait_bye`): the client
 * answers and hangs up. Returns SIPp's result (traced when asked).
 */
export async function answerSippCallAndHangUp<S>(
  client: ScenarioClient<S>,
  route: SippRoute,
  user: string,
  options: { traceMessages?: boolean } = {},
): Promise<SippResult> {
  const caller = runSipp({
    scenario: "uac_invite_wait_bye",
    ...route,
    service: user,
    traceMessages: options.traceMessages,
  });
  const session = await client.nextCall();
  await client.answer(session);
  await client.hangup(session);
  const result = await caller;
  assertSippPassed(result, 1);
  return result;
}

/**
 * SIPp sends `calls` MESSAGEs (`<body> 1`, `<body> 2` ...) to `user`; the client receives
 * them in order. Returns them.
 */
export async function messagesFromSipp(
  client: Pick<ScenarioClient<unknown>, "nextMessage">,
  route: SippRoute,
  user: string,
  body: string,
  calls = 1,
): Promise<{ from: string; body: string }[]> {
  const sent = await runSipp({
    scenario: "uac_message",
    ...route,
    service: user,
    calls,
    keys: { body },
  });
  assertSippPassed(sent, calls);
  const received = [];
  for (let i = 0; i < calls; i++) received.push(await client.nextMessage());
  assertEquals(
    received.map((message) => message.body.trim()),
    received.map((_, i) => `${body} ${i + 1}`),
  );
  return received;
}

/**
 * The client sends a MESSAGE with `body` to a SIPp UAS (`sip:<user>@127.0.0.1:<port>`), which
 * receives it. Returns SIPp's result, traced.
 */
export async function messageToSipp(
  client: Pick<ScenarioClient<unknown>, "sendMessage">,
  user: string,
  body: string,
): Promise<SippResult> {
  await using uas = await startSippUas({ scenario: "uas_message", traceMessages: true });
  await client.sendMessage(`sip:${user}@127.0.0.1:${uas.port}`, body);
  const received = await uas.result;
  assertSippPassed(received);
  assertStringIncludes(received.messages, body);
  return received;
}

/**
 * The client calls a SIPp UAS (`sip:<user>@127.0.0.1:<port>`, scenario `uas_answer`), checks
 * the established session with `established`, and hangs up. Returns SIPp's result.
 */
export async function callSippAndHangUp<S>(
  client: ScenarioCaller<S>,
  user: string,
  established: (session: S) => void = () => {},
): Promise<SippResult> {
  await using uas = await startSippUas({ scenario: "uas_answer" });
  const session = await client.call(`sip:${user}@127.0.0.1:${uas.port}`);
  established(session);
  await client.hangup(session);
  const result = await uas.result;
  assertSippPassed(result, 1);
  return result;
}
