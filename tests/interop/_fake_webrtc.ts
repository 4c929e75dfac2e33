/**
 * Signaling-only WebRTC stand-ins for running JsSIP and SIP.js under Deno: an
 * `RTCPeerConnection` whose offers and answers are plain audio SDP (RTP/AVP, PCMU/PCMA and
 * telephone-event on 127.0.0.1), a track-less `MediaStream`, `RTCSessionDescription`. No media
 * flows: tests that need real media (the RTCWeb Breaker) must use a werift-backed peer
 * connection instead.
 *
 * @module
 */

let session = 0;

/** A plain audio offer (no ICE, no DTLS). */
export function plainAudioOffer(port = 40_000 + 2 * (session++ % 5000)): string {
  return [
    "v=0",
    `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP 0 8 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

/**
 * An answer to `offer`: the first audio m-line gets the offer's first payload among PCMU (0),
 * PCMA (8) or a telephone-event, on the offer's profile; other m-lines are rejected (port 0).
 */
export function plainAudioAnswer(offer: string, port = 40_000 + 2 * (session++ % 5000)): string {
  const lines = [
    "v=0",
    `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
  ];
  let audioDone = false;
  for (const m of offer.split(/\r?\n/).filter((l) => l.startsWith("m="))) {
    const [kind, , proto, ...formats] = m.slice(2).trim().split(/\s+/);
    if (kind === "audio" && !audioDone) {
      const chosen = formats.find((f) => f === "0" || f === "8") ?? formats[0] ?? "0";
      lines.push(`m=audio ${port} ${proto} ${chosen}`, "a=sendrecv");
      audioDone = true;
    } else {
      lines.push(`m=${kind} 0 ${proto} ${formats[0] ?? "0"}`);
    }
  }
  if (!audioDone) lines.push(`m=audio 0 RTP/AVP 0`);
  lines.push("");
  return lines.join("\r\n");
}

/** `RTCSessionDescription` stand-in. */
export class FakeSessionDescription {
  type: string;
  sdp: string;
  constructor(init: { type: string; sdp: string }) {
    this.type = init.type;
    this.sdp = init.sdp;
  }
  toJSON(): { type: string; sdp: string } {
    return { type: this.type, sdp: this.sdp };
  }
}

/** `MediaStream` stand-in without tracks. */
export class FakeMediaStream extends EventTarget {
  readonly id: string = crypto.randomUUID();
  readonly active = true;
  getTracks(): never[] {
    return [];
  }
  getAudioTracks(): never[] {
    return [];
  }
  getVideoTracks(): never[] {
    return [];
  }
  addTrack(): void {}
  removeTrack(): void {}
}

/** `RTCPeerConnection` stand-in: plain audio SDP, ICE gathering always complete. */
export class FakePeerConnection extends EventTarget {
  localDescription: FakeSessionDescription | null = null;
  remoteDescription: FakeSessionDescription | null = null;
  signalingState = "stable";
  iceGatheringState = "complete";
  iceConnectionState = "new";
  connectionState = "new";
  #closed = false;

  constructor(_config?: unknown, _constraints?: unknown) {
    super();
  }

  createOffer(_options?: unknown): Promise<FakeSessionDescription> {
    return Promise.resolve(new FakeSessionDescription({ type: "offer", sdp: plainAudioOffer() }));
  }

  createAnswer(_options?: unknown): Promise<FakeSessionDescription> {
    if (!this.remoteDescription || this.remoteDescription.type !== "offer") {
      return Promise.reject(new Error("createAnswer() without a remote offer"));
    }
    const sdp = plainAudioAnswer(this.remoteDescription.sdp);
    return Promise.resolve(new FakeSessionDescription({ type: "answer", sdp }));
  }

  setLocalDescription(desc: { type: string; sdp: string }): Promise<void> {
    this.localDescription = new FakeSessionDescription(desc);
    this.signalingState = desc.type === "offer" ? "have-local-offer" : "stable";
    return Promise.resolve();
  }

  setRemoteDescription(desc: { type: string; sdp: string }): Promise<void> {
    if (!/^m=audio /m.test(desc.sdp)) {
      return Promise.reject(new Error("setRemoteDescription(): no audio m-line"));
    }
    this.remoteDescription = new FakeSessionDescription(desc);
    this.signalingState = desc.type === "offer" ? "have-remote-offer" : "stable";
    return Promise.resolve();
  }

  addTrack(): Record<string, never> {
    return {};
  }
  getSenders(): never[] {
    return [];
  }
  getReceivers(): never[] {
    return [];
  }
  getTransceivers(): never[] {
    return [];
  }
  getLocalStreams(): never[] {
    return [];
  }
  getRemoteStreams(): never[] {
    return [];
  }
  getStats(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map());
  }
  addIceCandidate(): Promise<void> {
    return Promise.resolve();
  }
  get closed(): boolean {
    return this.#closed;
  }
  close(): void {
    this.#closed = true;
    this.signalingState = "closed";
  }
}

/**
 * Installs the stand-ins as browser globals (`window`, `RTCPeerConnection`,
 * `RTCSessionDescription`, `MediaStream`) unless real ones exist. JsSIP needs them before it
 * will hand an incoming INVITE to the application. Idempotent.
 */
export function installFakeWebRtc(): void {
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  g.RTCPeerConnection ??= FakePeerConnection;
  g.RTCSessionDescription ??= FakeSessionDescription;
  g.MediaStream ??= FakeMediaStream;
}
