/**
 * Opening a raw `sip` WebSocket to the gateway, for tests that write SIP text themselves.
 *
 * @module
 */

import { withTimeout } from "./_process.ts";

/**
 * Opens a WebSocket to `url` asking for the `sip` subprotocol; rejects when it fails or is not
 * open within `timeoutMs` (the socket closed then).
 */
export async function openSipWebSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  const ws = new WebSocket(url, "sip");
  try {
    await withTimeout(
      "WebSocket open",
      new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error(`Cannot connect to ${url}`));
      }),
      timeoutMs,
    );
  } catch (error) {
    ws.close();
    throw error;
  }
  return ws;
}
