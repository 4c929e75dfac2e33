/**
 * `--rmem BYTES` of the benchmarks: the host's default UDP/TCP receive buffer
 * (`net.core.rmem_default`) for the duration of a run, so that every target (the gateway,
 * which cannot set SO_RCVBUF from Deno, and Kamailio, which can) runs under the same host
 * setting. Only root can change it; the previous values are restored when the run ends, on
 * errors and on SIGINT / SIGTERM. `net.core.rmem_max` is raised too when BYTES is above it
 * (it bounds what SO_RCVBUF may ask for), and restored the same way.
 *
 * The setting is host-wide (sockets created while it is set get it, whoever opens them), and
 * only sockets opened after the change get it: wrap the whole run, peers included.
 *
 * @module
 */

const DEFAULT_PATH = "/proc/sys/net/core/rmem_default";
const MAX_PATH = "/proc/sys/net/core/rmem_max";

/** The host setting a run used, for the output. */
export interface RmemSetting {
  /** `net.core.rmem_default` during the run, bytes (undefined when unreadable). */
  rmemDefault?: number;
  /** `net.core.rmem_max` during the run, bytes. */
  rmemMax?: number;
  /** What happened: "host default", "set for this run (was N)", or why it was not set. */
  note: string;
}

function readSysctl(path: string): number | undefined {
  try {
    const value = Number(Deno.readTextFileSync(path).trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function writeSysctl(path: string, value: number): void {
  Deno.writeTextFileSync(path, `${value}\n`);
}

/** One line for the benchmark output. */
export function describeRmem(setting: RmemSetting): string {
  return `net.core.rmem_default=${setting.rmemDefault ?? "?"} rmem_max=${
    setting.rmemMax ?? "?"
  } (${setting.note})`;
}

/** Options of {@linkcode withRmem}. */
export interface WithRmemOptions {
  /** Called on SIGINT / SIGTERM after the values are restored, before the process exits
   * (stop the peers the run started). */
  onSignal?: () => Promise<void>;
}

/**
 * Runs `fn` with `net.core.rmem_default` = `bytes` (unchanged when `bytes` is undefined or the
 * process is not root), then restores the previous values. `fn` receives the setting in force.
 */
export async function withRmem<T>(
  bytes: number | undefined,
  fn: (setting: RmemSetting) => Promise<T>,
  options: WithRmemOptions = {},
): Promise<T> {
  const previousDefault = readSysctl(DEFAULT_PATH);
  const previousMax = readSysctl(MAX_PATH);
  if (bytes === undefined) {
    return await fn({ rmemDefault: previousDefault, rmemMax: previousMax, note: "host default" });
  }
  if (!Number.isInteger(bytes) || bytes < 4096) {
    throw new RangeError(`Cannot set net.core.rmem_default: ${bytes} is not a byte count >= 4096`);
  }
  if (Deno.uid() !== 0 || previousDefault === undefined || previousMax === undefined) {
    return await fn({
      rmemDefault: previousDefault,
      rmemMax: previousMax,
      note: `--rmem ${bytes} NOT applied: ${
        Deno.uid() !== 0 ? "not root" : "/proc/sys/net/core unreadable"
      }; host setting`,
    });
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      writeSysctl(DEFAULT_PATH, previousDefault);
      if (readSysctl(MAX_PATH) !== previousMax) writeSysctl(MAX_PATH, previousMax);
    } catch (e) {
      Deno.stderr.writeSync(
        new TextEncoder().encode(
          `could not restore net.core.rmem_default=${previousDefault} rmem_max=${previousMax}: ${
            (e as Error).message
          }\n`,
        ),
      );
    }
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    restore();
    (options.onSignal?.() ?? Promise.resolve()).catch(() => {}).finally(() => Deno.exit(130));
  };
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  try {
    if (bytes > previousMax) writeSysctl(MAX_PATH, bytes);
    writeSysctl(DEFAULT_PATH, bytes);
    return await fn({
      rmemDefault: readSysctl(DEFAULT_PATH),
      rmemMax: readSysctl(MAX_PATH),
      note: `set for this run, was ${previousDefault} / ${previousMax}; restored at the end`,
    });
  } finally {
    restore();
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  }
}
