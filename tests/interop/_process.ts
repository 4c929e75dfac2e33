/**
 * Child processes for interop tests: start a real peer (Kamailio, SIPp, a Deno subprocess),
 * capture its output to a log file, wait until its port answers, stop it by PID.
 *
 * Every wait is bounded; `stop()` is idempotent and always ends the whole process group
 * (SIGTERM, then SIGKILL after a grace period).
 *
 * @module
 */

/** Transport a port is probed on. */
export type PortProtocol = "udp" | "tcp";

/** A running child process whose stdout and stderr go to one log file. */
export interface ChildProcess {
  /** Name used in error messages. */
  readonly name: string;
  /** PID of the child (also its process group id). */
  readonly pid: number;
  /** File holding the child's stdout and stderr. */
  readonly logPath: string;
  /** Resolves when the child has exited and its output is flushed to the log. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** True once the child has exited. */
  readonly done: boolean;
  /** The log so far. */
  log(): Promise<string>;
  /** The child's stdin, kept open, when started with `interactive`. */
  readonly stdin?: WritableStream<Uint8Array>;
  /** The child's stdout (then not in the log), when started with `interactive`. */
  readonly stdout?: ReadableStream<Uint8Array>;
  /** SIGTERM the process group, SIGKILL it after `graceMs`; resolves once it has exited. */
  stop(options?: { graceMs?: number }): Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode startProcess}. */
export interface StartProcessOptions {
  /** Name used in error messages. @default {the command's base name} */
  name?: string;
  /** Working directory. @default {the current directory} */
  cwd?: string;
  /** Extra environment variables (the rest is inherited). */
  env?: Record<string, string>;
  /** Log file. @default {a new temporary file} */
  logPath?: string;
  /** Bytes written to the child's stdin, which is then closed. @default {stdin is /dev/null} */
  stdin?: Uint8Array;
  /**
   * Keep stdin open and hand stdout to the caller (`ChildProcess.stdin` / `.stdout`) instead
   * of logging it; stderr is still logged. @default {false}
   */
  interactive?: boolean;
}

const decoder = new TextDecoder();

/** Starts `command` with `args`; its stdout and stderr are appended to one log file. */
export function startProcess(
  command: string,
  args: string[],
  options: StartProcessOptions = {},
): ChildProcess {
  const name = options.name ?? command.split("/").pop() ?? command;
  const logPath = options.logPath ?? Deno.makeTempFileSync({ prefix: `${name}_`, suffix: ".log" });
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin || options.interactive ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    // own process group, so stop() also reaches the children the peer forks (Kamailio)
    detached: true,
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    writer.write(options.stdin).then(() => writer.close()).catch(() => {});
  }
  const out = Deno.openSync(logPath, { append: true, create: true });
  const err = Deno.openSync(logPath, { append: true, create: true });
  const interactive = options.interactive ?? false;
  if (interactive) out.close();
  const pumps = Promise.all([
    interactive ? Promise.resolve() : pump(child.stdout, out),
    pump(child.stderr, err),
  ]);
  let done = false;
  const exited = (async () => {
    const status = await child.status;
    done = true;
    await pumps;
    return status;
  })();
  let stopping: Promise<Deno.CommandStatus> | undefined;

  function signalGroup(signal: Deno.Signal): void {
    if (done) return;
    try {
      Deno.kill(-child.pid, signal);
    } catch {
      try {
        Deno.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  return {
    name,
    pid: child.pid,
    logPath,
    stdin: interactive ? child.stdin : undefined,
    stdout: interactive ? child.stdout : undefined,
    exited,
    get done() {
      return done;
    },
    log: () => Deno.readTextFile(logPath),
    stop(stopOptions: { graceMs?: number } = {}) {
      stopping ??= (async () => {
        signalGroup("SIGTERM");
        const timer: { id?: ReturnType<typeof setTimeout> } = {};
        const late = new Promise<"late">((resolve) => {
          timer.id = setTimeout(() => resolve("late"), stopOptions.graceMs ?? 3000);
        });
        const first = await Promise.race([exited, late]);
        clearTimeout(timer.id);
        if (first === "late") signalGroup("SIGKILL");
        // the group may outlive its leader: make sure nothing of it is left
        try {
          Deno.kill(-child.pid, "SIGKILL");
        } catch {
          // group already empty
        }
        return await exited;
      })();
      return stopping;
    },
  };
}

// Copies a stream into a file chunk by chunk (FsFile.writable holds data back until it closes,
// and a log must be readable while the process runs), then closes the file.
async function pump(stream: ReadableStream<Uint8Array>, file: Deno.FsFile): Promise<void> {
  try {
    for await (const chunk of stream) {
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
    }
  } catch {
    // the process is gone or the file is closed: nothing more to copy
  } finally {
    file.close();
  }
}

/** Runs `command` to completion with a time limit; output captured in memory. */
export async function runProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
  try {
    const out = await new Deno.Command(command, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      signal: controller.signal,
    }).output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@linkcode waitForPort}. */
export interface WaitForPortOptions {
  /** Host to probe. @default {"127.0.0.1"} */
  host?: string;
  /** Give up after this long. @default {10000} */
  timeoutMs?: number;
  /** Fail early (with its log in the error) when this process exits first. */
  process?: ChildProcess;
}

/**
 * Waits until `port` answers: TCP accepts a connection; UDP answers an OPTIONS request with
 * any datagram. Throws after `timeoutMs` (or when `process` exits) with the log's tail.
 */
export async function waitForPort(
  proto: PortProtocol,
  port: number,
  options: WaitForPortOptions = {},
): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (options.process?.done) {
      throw new Error(
        `${options.process.name} exited before ${proto} port ${port} was ready:\n` +
          tail(await options.process.log()),
      );
    }
    const ok = proto === "tcp" ? await probeTcp(host, port) : await probeUdp(host, port, 200);
    if (ok) return;
    await delay(100);
  }
  const log = options.process ? "\n" + tail(await options.process.log()) : "";
  throw new Error(`Timed out waiting for ${proto} port ${host}:${port}${log}`);
}

async function probeTcp(host: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: host, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

async function probeUdp(host: string, port: number, waitMs: number): Promise<boolean> {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const local = (socket.addr as Deno.NetAddr).port;
  const branch = `z9hG4bK-probe-${crypto.randomUUID()}`;
  const options = [
    `OPTIONS sip:${host}:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
    `Max-Forwards: 70`,
    `From: <sip:probe@127.0.0.1>;tag=probe`,
    `To: <sip:${host}:${port}>`,
    `Call-ID: ${branch}`,
    `CSeq: 1 OPTIONS`,
    `Content-Length: 0`,
    "",
    "",
  ].join("\r\n");
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await socket.send(new TextEncoder().encode(options), {
      transport: "udp",
      hostname: host,
      port,
    });
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
    });
    return await Promise.race([socket.receive().then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}

/**
 * Waits until some process has bound `port` on 127.0.0.1 (our own bind attempt fails with
 * AddrInUse). For peers that must not see a probe (a SIPp UAS would count it as a call).
 */
export async function waitForBound(
  proto: PortProtocol,
  port: number,
  options: { timeoutMs?: number; process?: ChildProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (options.process?.done) {
      throw new Error(
        `${options.process.name} exited before binding ${proto} port ${port}:\n` +
          tail(await options.process.log()),
      );
    }
    try {
      if (proto === "tcp") {
        Deno.listen({ hostname: "127.0.0.1", port }).close();
      } else {
        Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port }).close();
      }
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse) return;
      throw error;
    }
    await delay(50);
  }
  throw new Error(`Timed out waiting for ${proto} port ${port} to be bound`);
}

/**
 * A port that was free a moment ago on 127.0.0.1 (bound with port 0, then released). Another
 * process may take it before it is used: callers that bind it should retry on EADDRINUSE.
 */
export function freePort(proto: PortProtocol): number {
  if (proto === "tcp") {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    listener.close();
    return port;
  }
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const { port } = socket.addr as Deno.NetAddr;
  socket.close();
  return port;
}

/** Full path of `name` on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  if (name.includes("/")) return isExecutable(name) ? name : undefined;
  const dirs = (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/sbin"]);
  for (const dir of dirs) {
    if (dir && isExecutable(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Skip reason when a binary is missing, else undefined:
 * `Deno.test({ name, ignore: !!reason, ... })` and put the reason in the name.
 */
export function requireBinary(
  name: string,
  hint = "run scripts/install_deps.sh",
): string | undefined {
  return findBinary(name) ? undefined : `${name} not found on PATH (${hint})`;
}

/** The first of several skip reasons, or undefined when all are undefined. */
export function firstReason(...reasons: (string | undefined)[]): string | undefined {
  return reasons.find((reason) => reason !== undefined);
}

/**
 * `Deno.test` options ignoring the test when any of `reasons` is given, and the suffix that
 * puts the first reason in the test's name: `{ ...test, name: `...${suffix}` }`.
 */
export function skipWhen(
  ...reasons: (string | undefined)[]
): { test: { ignore: boolean }; suffix: string } {
  const skip = firstReason(...reasons);
  return { test: { ignore: skip !== undefined }, suffix: skip ? ` (skipped: ${skip})` : "" };
}

/** Last `lines` lines of a log, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined/false;
 * throws `Timed out waiting for <what>` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(options.intervalMs ?? 50);
  }
}

/**
 * Races `promise` against a timer; the timer is always cleared. Throws
 * `Timed out after <ms> ms waiting for <what>`.
 */
export async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
