/**
 * The real gateway (`mod/gateway.ts`) started in the test's own process for interop tests:
 * config.xml text built here and parsed by `parseConfig`, every transport on a port chosen by
 * the system (`*`), only loopback destinations allowed, log lines kept in memory and
 * appended to the error of a failing test ({@linkcode withLogs}).
 *
 * @module
 */

import type { TestCerts } from "./_certs.ts";
import { parseConfig } from "../../mod/config/mod.ts";
import { type RunningGateway, startGateway } from "../../mod/gateway.ts";
import { createLogger, type LogLevel } from "../../mod/log.ts";
import type { Transport, TransportProtocol } from "../../mod/signaling/transport/mod.ts";
import { tail } from "./_process.ts";

/** Options of {@linkcode startTestGateway}. */
export interface TestGatewayOptions {
  /** Transports to listen on (127.0.0.1, system-chosen ports). @default {["udp", "ws"]} */
  transports?: TransportProtocol[];
  /** Certificates for tls/wss (`<ssl-certificates>` with the CA). */
  certs?: TestCerts;
  /** `verify` field of `<ssl-certificates>`. @default {false} */
  verify?: boolean;
  /** Level of the kept log lines. @default {"DEBUG"} */
  level?: LogLevel;
  /** More config.xml elements, as text. */
  extraXml?: string;
}

/** A gateway running in-process, with its log kept in memory. */
export interface TestGateway {
  readonly gateway: RunningGateway;
  /** The config.xml text it runs on. */
  readonly xml: string;
  /** `ws://127.0.0.1:<port>` when a ws transport was asked. */
  readonly wsUrl?: string;
  /** `wss://127.0.0.1:<port>` when a wss transport was asked. */
  readonly wssUrl?: string;
  /** Every log line so far. */
  readonly lines: readonly string[];
  /** The bound transport of `protocol`; throws when there is none. */
  transport(protocol: TransportProtocol): Transport;
  /** Bound port of `protocol`. */
  port(protocol: TransportProtocol): number;
  /** Closes the gateway. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The config.xml text of a test gateway. */
export function testGatewayXml(options: TestGatewayOptions = {}): string {
  const transports = options.transports ?? ["udp", "ws"];
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', "<config>"];
  lines.push(`  <debug-level>${options.level ?? "DEBUG"}</debug-level>`);
  for (const protocol of transports) {
    lines.push(`  <transport>${protocol};127.0.0.1;*</transport>`);
  }
  lines.push("  <allowed-destinations>127.0.0.1</allowed-destinations>");
  const certs = options.certs;
  if (certs) {
    const verify = options.verify ? "yes" : "no";
    lines.push(
      `  <ssl-certificates>${certs.key};${certs.cert};${certs.caCert};${verify}</ssl-certificates>`,
    );
  }
  if (options.extraXml) lines.push(options.extraXml);
  lines.push("</config>", "");
  return lines.join("\n");
}

/** Parses the test configuration and starts the gateway on it. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const xml = testGatewayXml(options);
  const { config } = parseConfig(xml, { source: "test gateway config" });
  const lines: string[] = [];
  const logger = createLogger("gateway", {
    level: options.level ?? "DEBUG",
    sink: (line) => {
      lines.push(line);
    },
  });
  const gateway = await startGateway(config, logger);
  const find = (protocol: TransportProtocol): Transport | undefined =>
    gateway.transports.find((t) => t.protocol === protocol);
  const transport = (protocol: TransportProtocol): Transport => {
    const found = find(protocol);
    if (!found) throw new Error(`The test gateway has no ${protocol} transport`);
    return found;
  };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => closed ??= gateway.close();
  const ws = find("ws");
  const wss = find("wss");
  return {
    gateway,
    xml,
    wsUrl: ws ? `ws://127.0.0.1:${ws.local.port}` : undefined,
    wssUrl: wss ? `wss://127.0.0.1:${wss.local.port}` : undefined,
    lines,
    transport,
    port: (protocol) => transport(protocol).local.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Something whose log helps explain a failure (the gateway, Kamailio). */
export interface LogSource {
  name: string;
  log(): string | Promise<string>;
}

/**
 * Runs `fn`; when it throws, rethrows an error whose message ends with the last `lines` log
 * lines of every source (the gateway's, Kamailio's ...), the original error as `cause`.
 */
export async function withLogs<T>(
  sources: LogSource[],
  fn: () => Promise<T>,
  lines = 60,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const parts = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
    for (const source of sources) {
      const text = await Promise.resolve(source.log()).catch((e) => `(no log: ${e})`);
      parts.push(`--- ${source.name} log (last ${lines} lines) ---`, tail(text, lines));
    }
    throw new Error(parts.join("\n"), { cause: error });
  }
}

/** The gateway as a {@linkcode LogSource}. */
export function gatewayLog(gw: TestGateway): LogSource {
  return { name: "gateway", log: () => gw.lines.join("\n") };
}
