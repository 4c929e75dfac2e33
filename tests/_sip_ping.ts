/**
 * OPTIONS pings over UDP from a socket of the tests' own, for tests of a running gateway
 * (in process or `main.ts` as a child).
 *
 * @module
 */

import { optionsText } from "./_sip_text.ts";
import { withTimeout } from "./interop/_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends an OPTIONS to `host:port` over UDP from a fresh socket on `host` and returns the first
 * datagram that comes back, within `timeoutMs`.
 */
export async function udpOptions(host: string, port: number, timeoutMs = 5000): Promise<string> {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: host, port: 0 });
  try {
    const local = (socket.addr as Deno.NetAddr).port;
    const uriHost = host.includes(":") ? `[${host}]` : host;
    const text = optionsText(`sip:${uriHost}:${port}`, `SIP/2.0/UDP ${uriHost}:${local}`);
    await socket.send(encoder.encode(text), { transport: "udp", hostname: host, port });
    const [data] = await withTimeout("UDP response", socket.receive(), timeoutMs);
    return decoder.decode(data);
  } finally {
    socket.close();
  }
}
