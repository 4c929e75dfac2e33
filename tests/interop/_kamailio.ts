/**
 * Kamailio 5.6 as a real registrar/proxy for interop tests: in-memory location (usrloc
 * db_mode 0), Path honoured (`use_path` 1), digest auth without a database, record-route,
 * `lookup("location")` then `t_relay()`. Optionally Kamailio's own WebSocket listener, the
 * stand-in for the gateway. Config: tests/fixtures/kamailio/registrar.cfg.
 *
 * @module
 */

import { makeTestCerts, type TestCerts } from "./_certs.ts";
import {
  type ChildProcess,
  firstReason,
  freePort,
  requireBinary,
  startProcess,
  waitForPort,
} from "./_process.ts";

/** Password of every test user when auth is on. */
export const TEST_PASSWORD = "interop-secret";

/** Domain Kamailio treats as its own (an alias): AoRs are `sip:<user>@TEST_DOMAIN`. */
export const TEST_DOMAIN = "interop.test";

const TEMPLATE = new URL("../fixtures/kamailio/registrar.cfg", import.meta.url);

const MODULE_DIRS = [
  "/usr/lib/x86_64-linux-gnu/kamailio/modules",
  "/usr/lib/aarch64-linux-gnu/kamailio/modules",
  "/usr/lib64/kamailio/modules",
  "/usr/lib/kamailio/modules",
  "/usr/local/lib64/kamailio/modules",
  "/usr/local/lib/kamailio/modules",
];

/** Options of {@linkcode startKamailio}. */
export interface KamailioOptions {
  /** Challenge REGISTER (401) with {@linkcode TEST_PASSWORD}. @default {true} */
  auth?: boolean;
  /**
   * Also challenge (407) initial requests other than REGISTER/ACK/CANCEL/PRACK, except those
   * from `trusted` sources. Needs `auth`. @default {false}
   */
  requestAuth?: boolean;
  /** Sources never challenged (e.g. a SIPp UAC bound with `-p`). @default {[]} */
  trusted?: { host: string; port: number }[];
  /** Listen on TLS (certificates made with openssl in the temp dir). @default {true} */
  tls?: boolean;
  /** Listen on WS (and WSS when `tls`): Kamailio as its own WebSocket front end. @default {false} */
  ws?: boolean;
  /** Password of every user. @default {TEST_PASSWORD} */
  password?: string;
  /** Domain served (alias). @default {TEST_DOMAIN} */
  domain?: string;
  /** Kamailio `debug` level (2 info, 3 debug). @default {2} */
  debug?: number;
  /** How long to wait for the ports. @default {15000} */
  startTimeoutMs?: number;
}

/** A running Kamailio. */
export interface Kamailio {
  readonly host: "127.0.0.1";
  readonly domain: string;
  readonly password: string;
  readonly udpPort: number;
  /**
   * `127.0.0.1:<udpPort>`: a domain that needs no DNS. `sip:alice@${k.address}` lets a
   * gateway reach Kamailio by the Request-URI alone (RFC 3263 with an IP and a port).
   */
  readonly address: string;
  readonly tcpPort: number;
  /** Present when `tls` was asked. */
  readonly tlsPort?: number;
  /** Present when `ws` was asked. */
  readonly wsPort?: number;
  /** Present when `ws` and `tls` were asked. */
  readonly wssPort?: number;
  /** `ws://127.0.0.1:<wsPort>` when `ws`. */
  readonly wsUrl?: string;
  /** `wss://127.0.0.1:<wssPort>` when `ws` and `tls`. */
  readonly wssUrl?: string;
  /** Certificates when `tls`: clients trust `certs.caCert`. */
  readonly certs?: TestCerts;
  /** Temp directory (config, runtime dir, certs, log). Removed by stop(). */
  readonly dir: string;
  readonly process: ChildProcess;
  /** Kamailio's log so far. */
  log(): Promise<string>;
  /** Stops Kamailio (whole process group) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Directory of Kamailio's modules, or undefined. */
export function kamailioModuleDir(): string | undefined {
  return MODULE_DIRS.find((dir) => {
    try {
      return Deno.statSync(`${dir}/websocket.so`).isFile && Deno.statSync(`${dir}/tls.so`).isFile;
    } catch {
      return false;
    }
  });
}

/** Why Kamailio tests cannot run here, or undefined when they can. */
export function kamailioSkipReason(): string | undefined {
  return firstReason(
    requireBinary("kamailio"),
    requireBinary("openssl"),
    kamailioModuleDir()
      ? undefined
      : "kamailio websocket/tls modules not found (run scripts/install_deps.sh)",
  );
}

/** Renders registrar.cfg; exported for tests of the template itself. */
export function renderKamailioConfig(
  template: string,
  values: { listen: string[]; mpath: string; tlsCfg: string; password: string; trusted: string },
): string {
  if (/["\\$]/.test(values.password)) {
    throw new Error("Cannot render Kamailio config: password must not contain quotes, $ or \\");
  }
  return template
    .replaceAll("%%LISTEN%%", values.listen.join("\n"))
    .replaceAll("%%MPATH%%", values.mpath)
    .replaceAll("%%TLS_CFG%%", values.tlsCfg)
    .replaceAll("%%PASSWORD%%", values.password)
    .replaceAll("%%TRUSTED%%", values.trusted);
}

/** Kamailio as a log source for `withLogs()` (`_gateway.ts`). */
export function kamailioLog(k: Kamailio): { name: string; log(): Promise<string> } {
  return { name: "kamailio", log: () => k.log() };
}

/**
 * Starts Kamailio in the foreground on fresh loopback ports and waits until UDP answers
 * OPTIONS and every TCP-based port accepts. Retries with new ports (3 attempts) when a port
 * was taken meanwhile.
 */
export async function startKamailio(options: KamailioOptions = {}): Promise<Kamailio> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error) || !/bind|Address already in use/i.test(error.message)) break;
    }
  }
  throw lastError;
}

async function startOnce(options: KamailioOptions): Promise<Kamailio> {
  const mpath = kamailioModuleDir();
  if (!mpath) throw new Error(kamailioSkipReason() ?? "Kamailio modules not found");
  const auth = options.auth ?? true;
  const tls = options.tls ?? true;
  const ws = options.ws ?? false;
  const password = options.password ?? TEST_PASSWORD;
  const domain = options.domain ?? TEST_DOMAIN;
  const dir = await Deno.makeTempDir({ prefix: "kamailio_" });
  try {
    const udpPort = freePort("udp");
    const tcpPort = freePort("tcp");
    const tlsPort = tls ? freePort("tcp") : undefined;
    const wsPort = ws ? freePort("tcp") : undefined;
    const wssPort = ws && tls ? freePort("tcp") : undefined;
    const listen = [`listen=udp:127.0.0.1:${udpPort}`, `listen=tcp:127.0.0.1:${tcpPort}`];
    if (tlsPort) listen.push(`listen=tls:127.0.0.1:${tlsPort}`);
    if (wsPort) listen.push(`listen=tcp:127.0.0.1:${wsPort}`);
    if (wssPort) listen.push(`listen=tls:127.0.0.1:${wssPort}`);
    listen.push(`alias=${domain}`);
    let certs: TestCerts | undefined;
    const tlsCfg = `${dir}/tls.cfg`;
    if (tls) {
      certs = await makeTestCerts(dir);
      await Deno.writeTextFile(tlsCfg, tlsConfig(certs));
    }
    const trusted = (options.trusted ?? [])
      .map((t) => `($si=="${t.host}" && $sp==${t.port})`)
      .join(" || ") || "0";
    const template = await Deno.readTextFile(TEMPLATE);
    const cfg = renderKamailioConfig(template, { listen, mpath, tlsCfg, password, trusted })
      .replace(/^debug=\d+$/m, `debug=${options.debug ?? 2}`);
    const cfgPath = `${dir}/kamailio.cfg`;
    await Deno.writeTextFile(cfgPath, cfg);
    const defines: string[] = [];
    if (auth) defines.push("-A", "WITH_AUTH");
    if (auth && options.requestAuth) defines.push("-A", "WITH_REQUEST_AUTH");
    if (tls) defines.push("-A", "WITH_TLS");
    if (ws) defines.push("-A", "WITH_WS");
    const args = [
      "-f",
      cfgPath,
      "-DD", // foreground, children forked
      "-E", // log to stderr
      "-m",
      "64",
      "-M",
      "8",
      "-Y",
      dir, // runtime dir instead of /run/kamailio
      "-P",
      `${dir}/kamailio.pid`,
      ...defines,
    ];
    const process = startProcess("kamailio", args, {
      name: "kamailio",
      logPath: `${dir}/kamailio.log`,
    });
    const waitOptions = { process, timeoutMs: options.startTimeoutMs ?? 15_000 };
    try {
      await waitForPort("udp", udpPort, waitOptions);
      for (const port of [tcpPort, tlsPort, wsPort, wssPort]) {
        if (port) await waitForPort("tcp", port, waitOptions);
      }
    } catch (error) {
      await process.stop();
      throw new Error(`Kamailio did not start: ${(error as Error).message}`);
    }
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        await process.stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      })();
      return stopped;
    };
    return {
      host: "127.0.0.1",
      domain,
      password,
      udpPort,
      address: `127.0.0.1:${udpPort}`,
      tcpPort,
      tlsPort,
      wsPort,
      wssPort,
      wsUrl: wsPort ? `ws://127.0.0.1:${wsPort}` : undefined,
      wssUrl: wssPort ? `wss://127.0.0.1:${wssPort}` : undefined,
      certs,
      dir,
      process,
      log: () => process.log(),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

function tlsConfig(certs: TestCerts): string {
  return [
    "[server:default]",
    "method = TLSv1.2+",
    "verify_certificate = no",
    "require_certificate = no",
    `private_key = ${certs.key}`,
    `certificate = ${certs.cert}`,
    `ca_list = ${certs.caCert}`,
    "",
    "[client:default]",
    "method = TLSv1.2+",
    "verify_certificate = no",
    "require_certificate = no",
    "",
  ].join("\n");
}
