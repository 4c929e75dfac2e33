/**
 * SIP over TLS (RFC 3261 26.2, RFC 5630): the TCP transport with a TLS driver.
 *
 * Certificates come from the `<ssl-certificates>` files (key, cert, ca). Outgoing connections
 * verify the server against the CA file when `verify` is on. Deno cannot skip the chain check
 * per connection: with `verify` off the CA file is still used as a trust anchor and only the
 * host name check is skipped; a server whose chain does not lead to a trusted CA can be reached
 * only when Deno runs with `--unsafely-ignore-certificate-errors`. `Deno.listenTls` cannot ask
 * for client certificates, so `verify` does not apply to incoming connections; our own cert is
 * presented when a server asks for one (mutual TLS).
 *
 * @module
 */

import { endpointKey } from "./_flow_id.ts";
import { type StreamDriver, TcpTransport, withTimeout } from "./tcp.ts";
import type { TransportSink } from "./transport.ts";

/** PEM contents of the `<ssl-certificates>` files. */
export interface TlsCredentials {
  /** Private key (PEM). */
  key: string;
  /** Certificate chain (PEM). */
  cert: string;
  /** CA certificates trusted for outgoing connections (PEM), besides the system roots. */
  ca?: string;
  /** Check the server's certificate on outgoing connections (chain and host name).
   * @default {true} */
  verify?: boolean;
}

/** Where a TLS transport listens, and with which certificate. */
export interface TlsListenOptions {
  /** Address to bind.
   * @default {"0.0.0.0"} */
  hostname?: string;
  /** Port to bind; 0 picks a free one.
   * @default {5061} */
  port?: number;
  /** Share the port with other processes (SO_REUSEPORT, Linux).
   * @default {false} */
  reusePort?: boolean;
  tls: TlsCredentials;
}

/** Reads the `<ssl-certificates>` files (paths) into PEM strings. */
export async function loadTlsCredentials(
  paths: { key: string; cert: string; ca?: string },
  verify = true,
): Promise<TlsCredentials> {
  const [key, cert, ca] = await Promise.all([
    Deno.readTextFile(paths.key),
    Deno.readTextFile(paths.cert),
    paths.ca ? Deno.readTextFile(paths.ca) : Promise.resolve(undefined),
  ]);
  return { key, cert, ca, verify };
}

/** Opens a TLS listener and starts accepting. */
export function listenTls(sink: TransportSink, options: TlsListenOptions): TcpTransport {
  const listener = Deno.listenTls({
    transport: "tcp",
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 5061,
    reusePort: options.reusePort ?? false,
    cert: options.tls.cert,
    key: options.tls.key,
  });
  return new TcpTransport(listener, sink, tlsDriver(sink, options.tls));
}

/** The TLS driver: handshakes bounded by the handshake timeout. */
export function tlsDriver(sink: TransportSink, tls: TlsCredentials): StreamDriver {
  const verify = tls.verify ?? true;
  return {
    protocol: "tls",
    async connect(dest) {
      const where = endpointKey(dest.host, dest.port);
      const conn = await withTimeout(
        Deno.connectTls({
          hostname: dest.host,
          port: dest.port,
          caCerts: tls.ca ? [tls.ca] : undefined,
          cert: tls.cert,
          key: tls.key,
          unsafelyDisableHostnameVerification: !verify,
        }),
        sink,
        `Cannot connect to ${where} over TLS: timed out`,
        (late) => late.close(),
      );
      return { conn, handshake: conn.handshake() };
    },
    accept(conn) {
      return { handshake: (conn as Deno.TlsConn).handshake() };
    },
  };
}
