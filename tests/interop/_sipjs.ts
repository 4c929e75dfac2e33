/**
 * SIP.js (0.21, the `UserAgent` API) under Deno with the native WebSocket: register, MESSAGE
 * both ways, answer and place calls, BYE. Signaling only: sessions use
 * {@linkcode PlainSdpHandler}, a SessionDescriptionHandler that offers/answers plain audio SDP
 * without media.
 *
 * `wss://` with the test CA needs the CA in Deno's trust store, which is fixed at start-up:
 * run such a client in a subprocess with `--cert <caCert>` (see `_client_process.ts`).
 *
 * @module
 */

import {
  type BodyAndContentType,
  Invitation,
  Inviter,
  Messager,
  Registerer,
  RegistererState,
  type Session,
  type SessionDescriptionHandler,
  SessionState,
  UserAgent,
} from "sip.js";
import { plainAudioAnswer, plainAudioOffer } from "./_fake_webrtc.ts";
import { Inbox } from "./_inbox.ts";
import { withTimeout } from "./_process.ts";

/**
 * SessionDescriptionHandler producing plain audio SDP: an answer when a remote offer is
 * pending, else an offer. No media.
 */
export class PlainSdpHandler implements SessionDescriptionHandler {
  #remoteOffer?: string;
  #localOffer = false;
  /** Last SDP received from the peer. */
  remoteSdp?: string;
  /** Last SDP produced. */
  localSdp?: string;

  close(): void {}

  getDescription(): Promise<BodyAndContentType> {
    let body: string;
    if (this.#remoteOffer !== undefined) {
      body = plainAudioAnswer(this.#remoteOffer);
      this.#remoteOffer = undefined;
    } else {
      body = plainAudioOffer();
      this.#localOffer = true;
    }
    this.localSdp = body;
    return Promise.resolve({ body, contentType: "application/sdp" });
  }

  hasDescription(contentType: string): boolean {
    return contentType === "application/sdp";
  }

  setDescription(sdp: string): Promise<void> {
    if (!/^m=audio /m.test(sdp)) return Promise.reject(new Error("No audio m-line in the SDP"));
    this.remoteSdp = sdp;
    if (this.#localOffer) this.#localOffer = false; // it was the answer
    else this.#remoteOffer = sdp;
    return Promise.resolve();
  }

  sendDtmf(): boolean {
    return false;
  }
}

/** Options of {@linkcode createSipJsClient}. */
export interface SipJsClientOptions {
  /** ws:// or wss:// URL of the gateway (or Kamailio's WS listener). */
  wsUrl: string;
  /** The user's SIP URI, e.g. `sip:bob@interop.test`. */
  uri: string;
  /** Digest user name. @default {the URI's user} */
  username?: string;
  password?: string;
  /** Digest HA1 instead of the password. */
  ha1?: string;
  /** Default time limit of every wait. @default {10000} */
  timeoutMs?: number;
}

/** An incoming MESSAGE. */
export interface SipJsReceivedMessage {
  from: string;
  body: string;
  contentType?: string;
}

/** A started SIP.js UserAgent with bounded helpers. */
export interface SipJsClient {
  readonly ua: UserAgent;
  register(): Promise<void>;
  unregister(): Promise<void>;
  /** Sends a MESSAGE; resolves on a 2xx, rejects with the status otherwise. */
  sendMessage(target: string, body: string, contentType?: string): Promise<void>;
  /** The next incoming MESSAGE (answered 200), queued if it came earlier. */
  nextMessage(): Promise<SipJsReceivedMessage>;
  /** The next incoming INVITE, queued if it came earlier. */
  nextCall(): Promise<Invitation>;
  /** Accepts an invitation; resolves when the session is established (ACK received). */
  answer(invitation: Invitation): Promise<void>;
  /** Calls `target`; resolves with the session once established. */
  call(target: string): Promise<Inviter>;
  /** BYE (or CANCEL/reject) and resolves when the session has terminated. */
  hangup(session: Session): Promise<void>;
  /** Resolves when the session is terminated (e.g. the peer's BYE). */
  ended(session: Session): Promise<void>;
  /** Unregisters if registered, stops the UserAgent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function uri(text: string) {
  const parsed = UserAgent.makeURI(text);
  if (!parsed) throw new Error(`Cannot parse SIP URI: ${text}`);
  return parsed;
}

/** Creates and starts a SIP.js UserAgent; resolves once its WebSocket is connected. */
export async function createSipJsClient(options: SipJsClientOptions): Promise<SipJsClient> {
  const ms = options.timeoutMs ?? 10_000;
  const messages = new Inbox<SipJsReceivedMessage>();
  const calls = new Inbox<Invitation>();
  const own = uri(options.uri);
  const ua = new UserAgent({
    uri: own,
    transportOptions: { server: options.wsUrl, connectionTimeout: Math.ceil(ms / 1000) },
    authorizationUsername: options.username ?? own.user,
    authorizationPassword: options.password,
    authorizationHa1: options.ha1,
    logBuiltinEnabled: false,
    logLevel: "error",
    sessionDescriptionHandlerFactory: () => new PlainSdpHandler(),
    delegate: {
      onInvite: (invitation) => calls.push(invitation),
      onMessage: (message) => {
        const request = message.request;
        messages.push({
          from: request.from.uri.toString(),
          body: request.body ?? "",
          contentType: request.getHeader("Content-Type"),
        });
        message.accept().catch(() => {});
      },
    },
  });
  await withTimeout(`SIP.js WebSocket ${options.wsUrl}`, ua.start(), ms);
  let registerer: Registerer | undefined;

  function ended(session: Session): Promise<void> {
    if (session.state === SessionState.Terminated) return Promise.resolve();
    return withTimeout(
      "SIP.js session end",
      new Promise<void>((resolve) => {
        const listener = (state: SessionState) => {
          if (state !== SessionState.Terminated) return;
          session.stateChange.removeListener(listener);
          resolve();
        };
        session.stateChange.addListener(listener);
      }),
      ms,
    );
  }

  function established(session: Session, what: string): Promise<void> {
    return withTimeout(
      what,
      new Promise<void>((resolve, reject) => {
        const listener = (state: SessionState) => {
          if (state === SessionState.Established) resolve();
          if (state === SessionState.Terminated) reject(new Error(`${what}: session terminated`));
        };
        session.stateChange.addListener(listener);
      }),
      ms,
    );
  }

  let stopped: Promise<void> | undefined;
  const client: SipJsClient = {
    ua,
    async register() {
      registerer ??= new Registerer(ua, { expires: 600 });
      const r = registerer;
      await withTimeout(
        `SIP.js REGISTER ${options.uri}`,
        new Promise<void>((resolve, reject) => {
          r.register({
            requestDelegate: {
              onAccept: () => resolve(),
              onReject: (response) =>
                reject(new Error(`SIP.js REGISTER failed: ${response.message.statusCode}`)),
            },
          }).catch(reject);
        }),
        ms,
      );
    },
    async unregister() {
      const r = registerer;
      if (!r || r.state !== RegistererState.Registered) return;
      await withTimeout(
        `SIP.js unREGISTER ${options.uri}`,
        new Promise<void>((resolve, reject) => {
          r.unregister({
            requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() },
          })
            .catch(reject);
        }),
        ms,
      );
    },
    sendMessage(target, body, contentType = "text/plain") {
      return withTimeout(
        `SIP.js MESSAGE to ${target}`,
        new Promise<void>((resolve, reject) => {
          new Messager(ua, uri(target), body, contentType).message({
            requestDelegate: {
              onAccept: () => resolve(),
              onReject: (response) =>
                reject(new Error(`SIP.js MESSAGE failed: ${response.message.statusCode}`)),
            },
          }).catch(reject);
        }),
        ms,
      );
    },
    nextMessage: () => messages.next("SIP.js incoming MESSAGE", ms),
    nextCall: () => calls.next("SIP.js incoming INVITE", ms),
    async answer(invitation) {
      const up = established(invitation, "SIP.js answer established");
      await invitation.accept();
      await up;
    },
    async call(target) {
      const inviter = new Inviter(ua, uri(target));
      const up = established(inviter, `SIP.js call to ${target}`);
      await withTimeout(`SIP.js INVITE to ${target}`, inviter.invite(), ms);
      await up;
      return inviter;
    },
    async hangup(session) {
      const end = ended(session);
      if (session.state === SessionState.Established) await session.bye();
      else if (session instanceof Inviter) await session.cancel();
      else if (session instanceof Invitation) await session.reject();
      await end;
    },
    ended,
    stop() {
      stopped ??= (async () => {
        if (registerer?.state === RegistererState.Registered) {
          await client.unregister().catch(() => {});
        }
        await withTimeout("SIP.js stop", ua.stop(), ms).catch(() => {});
      })();
      return stopped;
    },
    [Symbol.asyncDispose]() {
      return client.stop();
    },
  };
  return client;
}
