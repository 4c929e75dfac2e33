/**
 * JsSIP (the SIP stack of sipML5-era and current web phones) under Deno with the native
 * WebSocket: register, MESSAGE both ways, answer and place calls, BYE. Signaling only: the
 * peer connection is {@linkcode FakePeerConnection} (plain audio SDP, no media).
 *
 * `wss://` with the test CA needs the CA in Deno's trust store, which is fixed at start-up:
 * run such a client in a subprocess with `--cert <caCert>` (see `_client_process.ts`).
 *
 * @module
 */

import * as JsSIP from "jssip";
import { FakeMediaStream, installFakeWebRtc } from "./_fake_webrtc.ts";
import { Inbox } from "./_inbox.ts";
import { withTimeout } from "./_process.ts";

type UA = InstanceType<typeof JsSIP.UA>;
/** JsSIP's call object. */
export type JsSipSession = ReturnType<UA["call"]>;

/** Options of {@linkcode createJsSipClient}. */
export interface JsSipClientOptions {
  /** ws:// or wss:// URL of the gateway (or Kamailio's WS listener). */
  wsUrl: string;
  /** The user's SIP URI, e.g. `sip:alice@interop.test`. */
  uri: string;
  /** Digest password. */
  password?: string;
  /** Digest HA1 instead of the password (with `realm`). */
  ha1?: string;
  /** Realm the HA1 belongs to. */
  realm?: string;
  /** Extra JsSIP UA configuration. */
  config?: Record<string, unknown>;
  /** Default time limit of every wait. @default {10000} */
  timeoutMs?: number;
}

/** An incoming MESSAGE. */
export interface ReceivedMessage {
  from: string;
  body: string;
  contentType?: string;
}

/** A started JsSIP UA with bounded helpers. */
export interface JsSipClient {
  readonly ua: UA;
  /** REGISTER; resolves on 200, rejects with the cause on failure. */
  register(): Promise<void>;
  /** REGISTER with Expires 0; resolves when done. */
  unregister(): Promise<void>;
  /** Sends a MESSAGE; resolves on a 2xx, rejects with the status otherwise. */
  sendMessage(target: string, body: string, contentType?: string): Promise<void>;
  /** The next incoming MESSAGE (already answered 200 by JsSIP), queued if it came earlier. */
  nextMessage(): Promise<ReceivedMessage>;
  /** The next incoming INVITE session, queued if it came earlier. */
  nextCall(): Promise<JsSipSession>;
  /** Answers an incoming session; resolves when the ACK arrived ("confirmed"). */
  answer(session: JsSipSession): Promise<void>;
  /** Calls `target`; resolves with the session once confirmed (200 received, ACK sent). */
  call(target: string): Promise<JsSipSession>;
  /** Sends BYE (or CANCEL/reject) and resolves when the session has ended. */
  hangup(session: JsSipSession): Promise<void>;
  /** Resolves when the session ends (e.g. the peer's BYE). */
  ended(session: JsSipSession): Promise<{ originator: string; cause: string }>;
  /** Stops the UA (unregisters if registered) and waits for the WebSocket to close. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates and starts a JsSIP UA; resolves once its WebSocket is connected. */
export async function createJsSipClient(options: JsSipClientOptions): Promise<JsSipClient> {
  installFakeWebRtc();
  const ms = options.timeoutMs ?? 10_000;
  const socket = new JsSIP.WebSocketInterface(options.wsUrl);
  const config: Record<string, unknown> = {
    sockets: [socket],
    uri: options.uri,
    register: false,
    connection_recovery_min_interval: 60,
    connection_recovery_max_interval: 60,
    ...options.config,
  };
  if (options.password !== undefined) config.password = options.password;
  if (options.ha1 !== undefined) {
    config.ha1 = options.ha1;
    config.realm = options.realm;
  }
  const ua = new JsSIP.UA(config as unknown as ConstructorParameters<typeof JsSIP.UA>[0]);
  const messages = new Inbox<ReceivedMessage>();
  const calls = new Inbox<JsSipSession>();
  ua.on("newMessage", (e: { originator: string; request: unknown }) => {
    if (e.originator !== "remote") return;
    const request = e.request as unknown as
      & { body?: string; from: { uri: { toString(): string } } }
      & {
        getHeader(name: string): string | undefined;
      };
    messages.push({
      from: request.from.uri.toString(),
      body: request.body ?? "",
      contentType: request.getHeader("Content-Type"),
    });
  });
  ua.on("newRTCSession", (e: { originator: string; session: unknown }) => {
    if (e.originator === "remote") calls.push(e.session as JsSipSession);
  });

  const connected = new Promise<void>((resolve) => ua.once("connected", () => resolve()));
  ua.start();
  try {
    await withTimeout(`JsSIP WebSocket ${options.wsUrl}`, connected, ms);
  } catch (error) {
    ua.stop();
    throw error;
  }

  function ended(session: JsSipSession): Promise<{ originator: string; cause: string }> {
    if (session.isEnded()) return Promise.resolve({ originator: "unknown", cause: "ended" });
    return withTimeout(
      "JsSIP session end",
      new Promise((resolve) => {
        const done = (e: { originator: string; cause: string }) =>
          resolve({ originator: e.originator, cause: String(e.cause) });
        session.once("ended", done as never);
        session.once("failed", done as never);
      }),
      ms,
    );
  }

  let stopped: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      if (!ua.isConnected()) {
        ua.stop();
        return;
      }
      const disconnected = new Promise<void>((resolve) => ua.once("disconnected", () => resolve()));
      ua.stop();
      // JsSIP keeps the WebSocket 2 s longer while transactions linger (they only absorb
      // retransmissions, which a WebSocket never carries): close it after a short grace.
      const grace = setTimeout(() => {
        const transport =
          (ua as unknown as { _transport?: { disconnect?: () => void } })._transport;
        transport?.disconnect?.();
      }, 200);
      await withTimeout("JsSIP stop", disconnected, ms).catch(() => {}).finally(() =>
        clearTimeout(grace)
      );
    })();
    return stopped;
  }

  return {
    ua,
    register() {
      return withTimeout(
        `JsSIP REGISTER ${options.uri}`,
        new Promise<void>((resolve, reject) => {
          const ok = () => {
            ua.off("registrationFailed", fail);
            resolve();
          };
          const fail = (e: { cause?: unknown; response?: { status_code?: number } }) => {
            ua.off("registered", ok);
            reject(new Error(`JsSIP REGISTER failed: ${e.response?.status_code ?? ""} ${e.cause}`));
          };
          ua.once("registered", ok);
          ua.once("registrationFailed", fail as never);
          ua.register();
        }),
        ms,
      );
    },
    unregister() {
      return withTimeout(
        `JsSIP unREGISTER ${options.uri}`,
        new Promise<void>((resolve) => {
          ua.once("unregistered", () => resolve());
          ua.unregister();
        }),
        ms,
      );
    },
    sendMessage(target, body, contentType = "text/plain") {
      return withTimeout(
        `JsSIP MESSAGE to ${target}`,
        new Promise<void>((resolve, reject) => {
          ua.sendMessage(target, body, {
            contentType,
            eventHandlers: {
              succeeded: () => resolve(),
              failed: (e: { cause?: unknown; response?: { status_code?: number } }) =>
                reject(
                  new Error(`JsSIP MESSAGE failed: ${e.response?.status_code ?? ""} ${e.cause}`),
                ),
            },
          } as never);
        }),
        ms,
      );
    },
    nextMessage: () => messages.next("JsSIP incoming MESSAGE", ms),
    nextCall: () => calls.next("JsSIP incoming INVITE", ms),
    answer(session) {
      return withTimeout(
        "JsSIP answer confirmed",
        new Promise<void>((resolve, reject) => {
          session.once("confirmed", () => resolve());
          session.once(
            "failed",
            (e: { cause?: unknown }) => reject(new Error(`JsSIP answer failed: ${e.cause}`)),
          );
          session.answer({ mediaStream: new FakeMediaStream() } as never);
        }),
        ms,
      );
    },
    call(target) {
      return withTimeout(
        `JsSIP call to ${target}`,
        new Promise<JsSipSession>((resolve, reject) => {
          const session = ua.call(target, {
            mediaStream: new FakeMediaStream(),
            eventHandlers: {
              confirmed: () => resolve(session),
              failed: (e: { cause?: unknown; message?: { status_code?: number } }) =>
                reject(new Error(`JsSIP call failed: ${e.message?.status_code ?? ""} ${e.cause}`)),
            },
          } as never);
        }),
        ms,
      );
    },
    async hangup(session) {
      const end = ended(session);
      if (!session.isEnded()) session.terminate();
      await end;
    },
    ended,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
