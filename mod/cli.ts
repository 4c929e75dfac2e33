/**
 * The command line: `main.ts [--config PATH] [--check-config] [--version] [--help]`.
 * `run()` does everything main.ts does, with its I/O injectable for tests.
 *
 * Exit codes: 0 success, 1 bad configuration or failed start, 2 bad command line.
 * @module
 */

import meta from "../deno.json" with { type: "json" };
import type { Config } from "./config/config.ts";
import { ConfigError } from "./config/config_error.ts";
import { describeConfig } from "./config/describe.ts";
import { loadConfig, type LoadConfigOptions } from "./config/load.ts";
import {
  configureLogging,
  createLogger,
  isLevelEnabled,
  type Logger,
  type LogSink,
} from "./log.ts";

/** The version of deno.json. */
export const VERSION: string = meta.version;

/** Text of `--help`. */
export const USAGE = `webrtc2sip ${VERSION}: WebRTC to SIP gateway

Usage: main.ts [options]

Options:
  --config PATH, --config=PATH  read the configuration from PATH (default: ./config.xml
                                when present, else the embedded default)
  --check-config                validate the configuration, print warnings and a summary,
                                exit 0 when it is usable, 1 when it is not
  --version                     print the version and exit
  --help, -h                    print this help and exit

Exit codes: 0 success, 1 bad configuration or failed start, 2 bad command line.
Configuration reference: docs/configuration.md
`;

/** Parsed command line. */
export interface CliOptions {
  /** `--config PATH`; absent: ./config.xml when present, else the embedded default. */
  config?: string;
  checkConfig: boolean;
  version: boolean;
  help: boolean;
}

/** A bad command line (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses the arguments; throws {@link UsageError} for unknown or malformed flags. */
export function parseArgs(args: readonly string[]): CliOptions {
  const options: CliOptions = { checkConfig: false, version: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--config") {
      const path = args[i + 1];
      if (path === undefined || path === "" || path.startsWith("--")) {
        throw new UsageError("Cannot parse arguments: --config needs a PATH");
      }
      options.config = path;
      i++;
    } else if (arg.startsWith("--config=")) {
      const path = arg.slice("--config=".length);
      if (path === "") throw new UsageError("Cannot parse arguments: --config needs a PATH");
      options.config = path;
    } else if (arg === "--check-config") {
      options.checkConfig = true;
    } else if (arg === "--version") {
      options.version = true;
    } else if (arg === "--help" || arg === "-h") {
      options.help = true;
    } else {
      throw new UsageError(`Cannot parse arguments: unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

/** A running gateway. */
export interface Gateway {
  close(): Promise<void>;
}

/** mod/gateway.ts `startGateway`. */
export type StartGateway = (config: Config, logger: Logger) => Promise<Gateway>;

/** I/O of {@link run}; every field defaults to the real thing. */
export interface RunOptions {
  /** Starts the gateway; needed unless only --help/--version/--check-config is used. */
  startGateway?: StartGateway;
  /** @default {writes to Deno.stdout} */
  stdout?: (text: string) => void;
  /** @default {writes to Deno.stderr} */
  stderr?: (text: string) => void;
  /** Where log lines go once logging is set up. @default {consoleSink} */
  sink?: LogSink;
  /**
   * Called before the gateway starts; resolves with the signal name when it must stop.
   * @default {listenForSignals: SIGINT or SIGTERM}
   */
  waitForSignal?: () => Promise<string>;
  /** Options of loadConfig (file reading, default path). */
  load?: LoadConfigOptions;
}

/** Runs the command line; resolves with the exit code. */
export async function run(args: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? writer(Deno.stdout);
  const stderr = options.stderr ?? writer(Deno.stderr);

  let cli: CliOptions;
  try {
    cli = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    stdout(USAGE);
    return 0;
  }
  if (cli.version) {
    stdout(`webrtc2sip ${VERSION}\n`);
    return 0;
  }

  let loaded;
  try {
    loaded = await loadConfig(cli.config, options.load);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr(`${error.message}\n`);
    return 1;
  }
  const { config, warnings, source } = loaded;

  if (cli.checkConfig) {
    const lines = [
      ...warnings.map((warning) => `warning: ${warning.message}`),
      `${source}: OK (${warnings.length} warning${warnings.length === 1 ? "" : "s"})`,
      ...describeConfig(config).map((line) => `  ${line}`),
    ];
    stdout(`${lines.join("\n")}\n`);
    return 0;
  }

  // Configuration warnings (an open relay, ignored elements) are shown even when
  // <debug-level> is ERROR or FATAL; the configured level applies from then on.
  const startLevel = isLevelEnabled(config.debugLevel, "WARN") ? "WARN" : config.debugLevel;
  configureLogging({ level: startLevel, ...(options.sink ? { sink: options.sink } : {}) });
  const logger = createLogger("gateway");
  for (const warning of warnings) logger.warn(warning.message);
  configureLogging({ level: config.debugLevel });
  logger.info(`webrtc2sip ${VERSION} starting`, { config: source });
  for (const line of describeConfig(config)) logger.debug(line);

  if (!options.startGateway) {
    logger.fatal("No gateway to start");
    return 1;
  }
  // Listen before starting, so that a signal during startup stops the gateway cleanly
  // once it is up instead of killing the process half-way.
  const stop = options.waitForSignal
    ? { signal: options.waitForSignal(), dispose() {} }
    : listenForSignals();
  let gateway: Gateway;
  try {
    gateway = await options.startGateway(config, logger);
  } catch (error) {
    stop.dispose();
    logger.fatal("Cannot start the gateway", { error });
    return 1;
  }
  const signal = await stop.signal;
  logger.info("Stopping", { signal });
  try {
    await gateway.close();
  } catch (error) {
    logger.error("Cannot close the gateway cleanly", { error });
    return 1;
  }
  logger.info("Stopped");
  return 0;
}

/** A pending wait for SIGINT or SIGTERM. */
export interface SignalWait {
  /** Resolves with the name of the first signal received. */
  signal: Promise<string>;
  /** Removes the listeners (the promise then never resolves). */
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM; the listeners are removed after the first one. */
export function listenForSignals(): SignalWait {
  const signals = ["SIGINT", "SIGTERM"] as const;
  let handlers: (() => void)[] = [];
  const dispose = () => {
    handlers.forEach((handler, i) => Deno.removeSignalListener(signals[i], handler));
    handlers = [];
  };
  const signal = new Promise<string>((resolve) => {
    handlers = signals.map((name) => () => {
      dispose();
      resolve(name);
    });
    signals.forEach((s, i) => Deno.addSignalListener(s, handlers[i]));
  });
  return { signal, dispose };
}

function writer(stream: { writeSync(p: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    let bytes = encoder.encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
  };
}
