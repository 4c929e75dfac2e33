/**
 * SIPp 3.6 as a legacy SIP peer: scenarios in tests/fixtures/sipp/, every run bounded
 * (`-m` calls, `-timeout` with `-timeout_error`, `-max_retrans`), unexpected messages traced
 * (`-trace_err`) and returned in the result.
 *
 * @module
 */

import {
  type ChildProcess,
  freePort,
  requireBinary,
  startProcess,
  waitForBound,
  withTimeout,
} from "./_process.ts";

/** Scenarios shipped in tests/fixtures/sipp/. */
export type SippScenario =
  | "uac_invite"
  | "uac_invite_wait_bye"
  | "uas_answer"
  | "uas_message"
  | "uac_message"
  | "uac_register";

/** Options of {@linkcode runSipp} and {@linkcode startSippUas}. */
export interface SippOptions {
  /** A scenario of tests/fixtures/sipp/ or a path to an XML file. */
  scenario: SippScenario | string;
  /** Where requests go (UAC) / the first hop; UAS scenarios may omit it. */
  remote?: { host: string; port: number };
  /** @default {"udp"} */
  transport?: "udp" | "tcp" | "tls";
  /** Local SIP port (`-p`). @default {a free port} */
  localPort?: number;
  /** Request-URI user (`-s`). @default {"service"} */
  service?: string;
  /** Request-URI / To host[:port] (`-key domain`). @default {remote host:port} */
  domain?: string;
  /** User part of From and Contact (`-key from_user`). @default {"sipp"} */
  fromUser?: string;
  /** Further `-key name value` pairs (e.g. body, expires). */
  keys?: Record<string, string>;
  /** Calls (or MESSAGEs) before SIPp exits (`-m`). @default {1} */
  calls?: number;
  /** Calls per second (`-r`). @default {10} */
  rate?: number;
  /** Calls open at once at most (`-l`). */
  limit?: number;
  /** Duration of `<pause/>` in ms (`-d`). @default {500} */
  pauseMs?: number;
  /** Credentials for 401/407 challenges (`-au`, `-ap`). */
  auth?: { user: string; password: string };
  /** Whole run limit: SIPp fails past it (`-timeout`, `-timeout_error`). @default {20000} */
  timeoutMs?: number;
  /** Socket buffer size in bytes (`-buff_size`); raise it for load. */
  bufferSize?: number;
  /** Write every message sent and received to the result's `messages` (`-trace_msg`). */
  traceMessages?: boolean;
  /** TLS certificate and key for `transport: "tls"` (`-tls_cert`, `-tls_key`). */
  tls?: { cert: string; key: string };
  /** Extra SIPp arguments, appended last. */
  extraArgs?: string[];
}

/** Outcome of a SIPp run. */
export interface SippResult {
  /** SIPp exit code: 0 all calls succeeded, 1 some failed, 99 none processed, 255/254 fatal. */
  code: number;
  /** SIPp's screen output (statistics). */
  stdout: string;
  stderr: string;
  /** The `-trace_err` log: unexpected messages (empty when none). */
  errors: string;
  /** The `-trace_msg` log when `traceMessages`, else empty. */
  messages: string;
  /** Successful and failed call counts parsed from the final statistics, when found. */
  successful?: number;
  failed?: number;
}

/** A SIPp running in the background (usually a UAS). */
export interface SippProcess {
  /** Local SIP port SIPp is bound to. */
  readonly port: number;
  readonly process: ChildProcess;
  /** Resolves when SIPp exits by itself (after `calls` calls or its timeout). */
  readonly result: Promise<SippResult>;
  /** Kills SIPp (if still running) and returns its result. Idempotent. */
  stop(): Promise<SippResult>;
  [Symbol.asyncDispose](): Promise<void>;
}

const FIXTURES = new URL("../fixtures/sipp/", import.meta.url);

/** Why SIPp tests cannot run here, or undefined. */
export function sippSkipReason(): string | undefined {
  return requireBinary("sipp");
}

/**
 * Why SIPp cannot use TLS here, or undefined. Debian's sip-tester 3.6.1 is built without
 * OpenSSL ("SIPp v3.6.1-SCTP-PCAP-RTPSTREAM"): TLS peers must be Kamailio or Deno itself.
 */
export function sippTlsSkipReason(): string | undefined {
  const missing = sippSkipReason();
  if (missing) return missing;
  try {
    const out = new Deno.Command("sipp", { args: ["-v"], stdin: "null" }).outputSync();
    const version = new TextDecoder().decode(out.stdout).match(/SIPp v[\w.-]*\w/)?.[0] ?? "SIPp";
    return /TLS/.test(version) ? undefined : `${version} is built without TLS`;
  } catch (error) {
    return `sipp -v failed: ${(error as Error).message}`;
  }
}

/** Path of a shipped scenario (or `scenario` itself when it is a path). */
export function sippScenarioPath(scenario: string): string {
  return scenario.includes("/") ? scenario : new URL(`${scenario}.xml`, FIXTURES).pathname;
}

/** The SIPp command line for `options` (SIPp's cwd is where its trace files go). */
export function sippArgs(options: SippOptions, localPort: number, mediaPort: number): string[] {
  const transport = { udp: "u1", tcp: "t1", tls: "l1" }[options.transport ?? "udp"];
  const remote = options.remote;
  const domain = options.domain ?? (remote ? `${remote.host}:${remote.port}` : "127.0.0.1");
  const timeoutS = Math.max(1, Math.ceil((options.timeoutMs ?? 20_000) / 1000));
  const args = [
    "-sf",
    sippScenarioPath(options.scenario),
    "-i",
    "127.0.0.1",
    "-p",
    String(localPort),
    "-mi",
    "127.0.0.1",
    "-mp",
    String(mediaPort),
    "-t",
    transport,
    "-m",
    String(options.calls ?? 1),
    "-r",
    String(options.rate ?? 10),
    "-d",
    String(options.pauseMs ?? 500),
    "-s",
    options.service ?? "service",
    "-key",
    "domain",
    domain,
    "-key",
    "from_user",
    options.fromUser ?? "sipp",
    "-timeout",
    `${timeoutS}s`,
    "-timeout_error",
    "-max_retrans",
    "5",
    "-nostdin",
    "-trace_err",
    "-error_file",
    "errors.log",
  ];
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push("-key", name, value);
  if (options.limit) args.push("-l", String(options.limit));
  if (options.auth) args.push("-au", options.auth.user, "-ap", options.auth.password);
  if (options.bufferSize) {
    args.push("-buff_size", String(options.bufferSize), "-max_recv_loops", "10000");
  }
  if (options.traceMessages) args.push("-trace_msg", "-message_file", "messages.log");
  if (options.tls) args.push("-tls_cert", options.tls.cert, "-tls_key", options.tls.key);
  if (remote) args.push(`${remote.host}:${remote.port}`);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** Runs SIPp to completion (bounded by its own `-timeout` plus a margin). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const sipp = await startSipp(options, false);
  return await sipp.result;
}

/**
 * Starts SIPp in the background and resolves once its SIP port is bound (without probing it:
 * a probe would count as a call). Meant for UAS scenarios: `await using uas = await
 * startSippUas({ scenario: "uas_answer" })`.
 */
export function startSippUas(options: SippOptions): Promise<SippProcess> {
  return startSipp(options, true);
}

async function startSipp(options: SippOptions, waitBound: boolean): Promise<SippProcess> {
  const dir = await Deno.makeTempDir({ prefix: "sipp_" });
  const port = options.localPort ??
    freePort(options.transport === "udp" || !options.transport ? "udp" : "tcp");
  const mediaPort = freeMediaPort();
  const process = startProcess("sipp", sippArgs(options, port, mediaPort), {
    name: `sipp ${options.scenario}`,
    cwd: dir,
    logPath: `${dir}/sipp.log`,
  });
  const limitMs = (options.timeoutMs ?? 20_000) + 10_000;
  const result = (async (): Promise<SippResult> => {
    let status: Deno.CommandStatus;
    try {
      status = await withTimeout(`sipp ${options.scenario}`, process.exited, limitMs);
    } catch {
      status = await process.stop();
    }
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`).catch(() => "");
    const stdout = await read("sipp.log");
    const counts = parseCounts(stdout);
    const out: SippResult = {
      code: status.code,
      stdout,
      stderr: "", // merged into stdout by the log file
      errors: await read("errors.log"),
      messages: await read("messages.log"),
      ...counts,
    };
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return out;
  })();
  async function stop(): Promise<SippResult> {
    await process.stop({ graceMs: 1000 });
    return await result;
  }
  if (waitBound) {
    try {
      await waitForBound(options.transport === "udp" || !options.transport ? "udp" : "tcp", port, {
        process,
      });
    } catch (error) {
      const failed = await stop();
      throw new Error(`${(error as Error).message}\n${failed.stdout.slice(-2000)}`);
    }
  }
  return {
    port,
    process,
    result,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

// SIPp binds -mp (audio) and -mp + 2 (video), each with its RTCP neighbour: pick an even port
// whose block of four looks free.
function freeMediaPort(): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 4 * Math.floor(Math.random() * 7_000);
    const sockets: Deno.DatagramConn[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        sockets.push(
          Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: base + i }),
        );
      }
      return base;
    } catch {
      // taken, try another block
    } finally {
      for (const socket of sockets) socket.close();
    }
  }
  throw new Error("Cannot find four free UDP ports for SIPp media");
}

function parseCounts(screen: string): { successful?: number; failed?: number } {
  // last statistics screen: "Successful call |  0  |  1" (periodic | cumulative)
  const last = (label: string) => {
    const matches = [
      ...screen.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, "g")),
    ];
    return matches.length ? Number(matches[matches.length - 1][1]) : undefined;
  };
  return { successful: last("Successful call"), failed: last("Failed call") };
}
