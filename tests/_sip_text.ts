/**
 * Raw SIP text the end-to-end tests send as is: an OPTIONS ping, a browser's MESSAGE, and the
 * answer a UAS gives to a request.
 *
 * @module
 */

/** An OPTIONS request to `uri` with a `via` sent-by (a fresh branch) and a fresh Call-ID. */
export function optionsText(
  uri: string,
  via: string,
  callId: string = crypto.randomUUID(),
): string {
  return [
    `OPTIONS ${uri} SIP/2.0`,
    `Via: ${via};branch=z9hG4bK${crypto.randomUUID().slice(0, 12)};rport`,
    "Max-Forwards: 70",
    "From: <sip:tester@127.0.0.1>;tag=t1",
    `To: <${uri}>`,
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** A MESSAGE to `target` as a browser sends it over WSS (`.invalid` Via), `extra` headers added. */
export function browserMessageText(target: string, extra: string[] = []): string {
  const body = "hello";
  return [
    `MESSAGE ${target} SIP/2.0`,
    `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK${crypto.randomUUID().slice(0, 10)}`,
    "Max-Forwards: 70",
    "From: <sip:alice@127.0.0.1>;tag=a1",
    `To: <${target}>`,
    `Call-ID: ${crypto.randomUUID()}`,
    "CSeq: 1 MESSAGE",
    ...extra,
    "Content-Type: text/plain",
    `Content-Length: ${body.length}`,
    "",
    body,
  ].join("\r\n");
}

/** The response a UAS would send: Vias, From, Call-ID, CSeq copied, To tagged, `extra` added. */
export function answerText(
  request: string,
  status: number,
  reason: string,
  extra: string[] = [],
): string {
  const head = request.split("\r\n\r\n")[0].split("\r\n");
  const copy = head.filter((line) => /^(Via|v|From|f|Call-ID|i|CSeq)\s*:/i.test(line));
  const to = head.find((line) => /^(To|t)\s*:/i.test(line))!;
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...copy,
    `${to};tag=peer`,
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}
