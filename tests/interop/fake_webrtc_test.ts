import { assertEquals, assertRejects, assertStringIncludes } from "../_assert.ts";
import { FakePeerConnection, plainAudioAnswer, plainAudioOffer } from "./_fake_webrtc.ts";

function mLines(sdp: string): string[] {
  return sdp.split("\r\n").filter((line) => line.startsWith("m="));
}

Deno.test("plainAudioOffer() offers PCMU, PCMA and telephone-event over RTP/AVP", () => {
  assertEquals(mLines(plainAudioOffer(4000)), ["m=audio 4000 RTP/AVP 0 8 101"]);
});

Deno.test("plainAudioAnswer() keeps the offer's profile and rejects the other m-lines", () => {
  const offer = [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 8 0",
    "m=video 9 UDP/TLS/RTP/SAVPF 96",
    "",
  ].join("\r\n");
  assertEquals(mLines(plainAudioAnswer(offer, 5000)), [
    "m=audio 5000 UDP/TLS/RTP/SAVPF 8",
    "m=video 0 UDP/TLS/RTP/SAVPF 96",
  ]);
});

Deno.test("FakePeerConnection createAnswer() answers the remote offer", async () => {
  const pc = new FakePeerConnection();
  await assertRejects(() => pc.createAnswer(), "without a remote offer");
  await pc.setRemoteDescription({ type: "offer", sdp: plainAudioOffer(4000) });
  assertEquals(pc.signalingState, "have-remote-offer");
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  assertEquals(pc.signalingState, "stable");
  assertStringIncludes(pc.localDescription!.sdp, "RTP/AVP 0");
  await assertRejects(
    () => pc.setRemoteDescription({ type: "offer", sdp: "v=0\r\nm=video 9 RTP/AVP 96\r\n" }),
    "no audio m-line",
  );
});
