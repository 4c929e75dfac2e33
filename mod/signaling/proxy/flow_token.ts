/**
 * Flow tokens (RFC 5626 5.2, RFC 7118 5.3): the user part of the Path and Record-Route URIs
 * the gateway inserts, naming the WebSocket flow a request from the SIP side must reach.
 *
 * A token is `base64url(mac || payload)` where payload is the UTF-8 text
 * `instanceId "\n" flowId` and mac is HMAC-SHA256(key, payload) truncated to 16 bytes (128
 * bits, more than the HMAC-SHA1-80 RFC 5626 5.2 gives as an example). Tokens are signed so
 * that nobody on the SIP side can forge one to reach another browser's flow; they carry no
 * expiry: a token whose flow is gone simply finds no flow (430 Flow Failed).
 *
 * @module
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** What a flow token names. */
export interface FlowTokenPayload {
  /** The transport layer's flow id (unique per process). */
  flowId: string;
  /** The gateway instance that owns the flow (several instances may share a SIP domain). */
  instanceId: string;
}

/** Options of {@linkcode FlowTokenSigner}. */
export interface FlowTokenSignerOptions {
  /**
   * Key for HMAC-SHA256 (config `flow-token-secret`). A string is taken as UTF-8.
   * @default {32 random bytes drawn at construction}
   */
  secret?: string | Uint8Array;
}

/** Bytes of the truncated HMAC-SHA256 at the start of every token. */
export const FLOW_TOKEN_MAC_BYTES = 16;

/** Longest token {@linkcode FlowTokenSigner.verify} looks at (a SIP user part stays small). */
const MAX_TOKEN_LENGTH = 512;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Signs and verifies flow tokens with one key. */
export class FlowTokenSigner {
  #key: Uint8Array;

  constructor(options: FlowTokenSignerOptions = {}) {
    const secret = options.secret;
    if (secret === undefined) {
      this.#key = new Uint8Array(randomBytes(32));
    } else {
      this.#key = typeof secret === "string" ? encoder.encode(secret) : secret.slice();
      if (this.#key.length === 0) throw new RangeError("Flow token secret must not be empty");
    }
  }

  /** Token naming `payload`: only base64url characters, safe in a SIP URI user part. */
  sign(payload: FlowTokenPayload): string {
    if (payload.instanceId.includes("\n")) {
      throw new RangeError("Flow token instance id must not contain a line feed");
    }
    const body = encoder.encode(`${payload.instanceId}\n${payload.flowId}`);
    const mac = this.#mac(body);
    const bytes = new Uint8Array(mac.length + body.length);
    bytes.set(mac, 0);
    bytes.set(body, mac.length);
    return Buffer.from(bytes).toString("base64url");
  }

  /** The payload of a genuine token; undefined for a forged, tampered or malformed one. */
  verify(token: string): FlowTokenPayload | undefined {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) {
      return undefined;
    }
    const bytes = new Uint8Array(Buffer.from(token, "base64url"));
    if (bytes.length <= FLOW_TOKEN_MAC_BYTES) return undefined;
    const mac = bytes.subarray(0, FLOW_TOKEN_MAC_BYTES);
    const body = bytes.subarray(FLOW_TOKEN_MAC_BYTES);
    if (!timingSafeEqual(mac, this.#mac(body))) return undefined;
    // Re-encoding must give the same text: rejects non-canonical base64url spellings.
    if (Buffer.from(bytes).toString("base64url") !== token) return undefined;
    let text: string;
    try {
      text = decoder.decode(body);
    } catch {
      return undefined;
    }
    const cut = text.indexOf("\n");
    if (cut < 0) return undefined;
    return { instanceId: text.slice(0, cut), flowId: text.slice(cut + 1) };
  }

  #mac(body: Uint8Array): Uint8Array {
    const full = createHmac("sha256", this.#key).update(body).digest();
    return new Uint8Array(full.buffer, full.byteOffset, FLOW_TOKEN_MAC_BYTES);
  }
}
