/**
 * Scoped, leveled logging with secrets redacted by construction.
 *
 * - Levels: DEBUG < INFO < WARN < ERROR < FATAL (the `<debug-level>` element).
 * - One scoped logger per module: `createLogger("proxy")`, `logger.child("ws")` gives the
 *   scope `proxy.ws`. Lines look like
 *   `2026-11-27T09:00:00.000Z INFO  [proxy] message {k=v}`.
 * - The sink (where lines go) and the clock are replaceable, for tests.
 * - Secrets never reach a sink: values wrapped in {@link Secret} print as `[redacted]`, field
 *   names that denote secrets are redacted, and every string (the message and each string
 *   field, SIP messages included) goes through {@link redactSip}, which blanks
 *   Authorization/Proxy-Authorization credentials, `ha1=`/`password=`/`response=`
 *   parameters, passwords in SIP URIs and SDES keys (`a=crypto ... inline:`).
 *
 * This is the only file that writes to the console.
 * @module
 */

/** Log levels, lowest first. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** What the text printed in place of a secret. */
export const REDACTED = "[redacted]";

/** Field values of a log record. */
export type LogFields = Record<string, unknown>;

/** One log record, handed to the sink with its formatted line. */
export interface LogRecord {
  time: Date;
  level: LogLevel;
  scope: string;
  /** Already redacted. */
  message: string;
  /** Already redacted and formatted (`{k=v}`), empty when there are none. */
  fields: string;
}

/** Receives every line at or above the level. `line` has no trailing newline. */
export type LogSink = (line: string, record: LogRecord) => void;

/** Settings shared by a logger and all its children. */
export interface LogSettings {
  /** @default {"INFO"} */
  level?: LogLevel;
  /** @default {consoleSink} */
  sink?: LogSink;
  /** @default {() => new Date()} */
  clock?: () => Date;
}

/**
 * A value that must never be logged: its string, JSON and inspected forms are `[redacted]`.
 * Read it with {@link Secret.reveal}.
 */
export class Secret<T = string> {
  #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  /** The wrapped value, for the code that needs it (HMAC keys, digest computation). */
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for("Deno.customInspect")](): string {
    return `Secret(${REDACTED})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Whether `level` is at or above `threshold`. */
export function isLevelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

/** Parses a level name, case-insensitive; undefined when it is not one. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const upper = text.trim().toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(upper) ? upper as LogLevel : undefined;
}

/** The default sink: WARN and above to stderr, the rest to stdout. */
export function consoleSink(line: string, record: LogRecord): void {
  if (isLevelEnabled(record.level, "WARN")) console.error(line);
  else console.log(line);
}

// Authorization / Proxy-Authorization header lines: Digest keeps its parameters (the
// secret-bearing ones are redacted below), any other scheme loses its credentials.
const AUTH_HEADER =
  /^([ \t]*(?:proxy-)?authorization[ \t]*:[ \t]*)([A-Za-z][A-Za-z0-9._-]*)([^\r\n]*)/gim;
// Parameters that carry a secret or a value derived from one (RFC 2617 response, the
// sipML5 `ha1=` Contact/URI parameter, passwords) in SIP headers, URIs and key=value text.
const SECRET_PARAM =
  /\b(response|ha1|password|passwd|pwd|secret|flow-token-secret|rspauth)([ \t]*=[ \t]*)("(?:[^"\\\r\n]|\\.)*"|[^;,\s>&"]+)/gi;
// A password in the userinfo of a SIP URI: sip:alice:secret@host.
const URI_PASSWORD = /\b(sips?:[^:@\s;>,"]+:)([^@\s;>,"]+)@/gi;
// SDES key material in SDP (RFC 4568): a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^20.
const SDES_KEY = /(inline:)([^\s|]+)/gi;

/**
 * Blanks the secrets in SIP message text (or any text): credentials of Authorization and
 * Proxy-Authorization headers other than Digest, the values of `response`, `ha1`,
 * `password`, `secret` ... parameters, passwords in SIP URIs and SDES keys.
 */
export function redactSip(text: string): string {
  return text
    .replace(AUTH_HEADER, (_m, head: string, scheme: string, rest: string) => {
      if (scheme.toLowerCase() === "digest") return head + scheme + rest;
      return `${head}${scheme} ${REDACTED}`;
    })
    .replace(SECRET_PARAM, (_m, name: string, eq: string, value: string) => {
      return name + eq + (value.startsWith('"') ? `"${REDACTED}"` : REDACTED);
    })
    .replace(URI_PASSWORD, (_m, head: string) => `${head}${REDACTED}@`)
    .replace(SDES_KEY, (_m, head: string) => head + REDACTED);
}

// Field names whose values are redacted whatever their type.
const SECRET_FIELD = /(password|passwd|secret|ha1|authorization|token|key)$/i;

function formatValue(value: unknown): string {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === "string") return quoteIfNeeded(redactSip(value));
  if (value instanceof Error) return quoteIfNeeded(redactSip(`${value.name}: ${value.message}`));
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") {
    try {
      return redactSip(JSON.stringify(value, jsonReplacer) ?? String(value));
    } catch {
      return "[unserializable]";
    }
  }
  return String(value);
}

function jsonReplacer(key: string, value: unknown): unknown {
  if (key !== "" && SECRET_FIELD.test(key) && value !== null && value !== undefined) {
    return REDACTED;
  }
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === "bigint") return value.toString();
  return value;
}

function quoteIfNeeded(text: string): string {
  return /^[^\s"{}=]*$/.test(text) && text !== "" ? text : JSON.stringify(text);
}

/** Formats fields as `{k=v k2="two words"}`, redacted; empty string when there are none. */
export function formatFields(fields: LogFields | undefined): string {
  if (!fields) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const shown = SECRET_FIELD.test(key) && value !== null ? REDACTED : formatValue(value);
    parts.push(`${key}=${shown}`);
  }
  return parts.length === 0 ? "" : `{${parts.join(" ")}}`;
}

/** Formats one line: `time LEVEL [scope] message {fields}`, the level padded to 5. */
export function formatLine(record: LogRecord): string {
  const head = `${record.time.toISOString()} ${record.level.padEnd(5)} [${record.scope}] `;
  return head + record.message + (record.fields === "" ? "" : ` ${record.fields}`);
}

// Process-wide settings used by loggers created without their own settings, so that
// module-level `createLogger("proxy")` calls follow `configureLogging()` made later by main.
const globalSettings: Required<LogSettings> = {
  level: "INFO",
  sink: consoleSink,
  clock: () => new Date(),
};

/** Changes the level, sink or clock of every logger created without explicit settings. */
export function configureLogging(settings: LogSettings): void {
  if (settings.level !== undefined) globalSettings.level = settings.level;
  if (settings.sink !== undefined) globalSettings.sink = settings.sink;
  if (settings.clock !== undefined) globalSettings.clock = settings.clock;
}

/** A scoped logger. Children share their parent's settings. */
export class Logger {
  #scope: string;
  #settings: Required<LogSettings>;

  constructor(scope: string, settings: Required<LogSettings>) {
    this.#scope = scope;
    this.#settings = settings;
  }

  /** The scope printed in brackets, e.g. `proxy.ws`. */
  get scope(): string {
    return this.#scope;
  }

  /** The current threshold (shared with the parent and children). */
  get level(): LogLevel {
    return this.#settings.level;
  }
  set level(level: LogLevel) {
    this.#settings.level = level;
  }

  /** A logger for a sub-scope: `child("ws")` of `proxy` logs as `[proxy.ws]`. */
  child(scope: string): Logger {
    return new Logger(`${this.#scope}.${scope}`, this.#settings);
  }

  /** Whether a record at `level` would be written; use it to skip costly formatting. */
  enabled(level: LogLevel): boolean {
    return isLevelEnabled(level, this.#settings.level);
  }

  debug(message: string, fields?: LogFields): void {
    this.log("DEBUG", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("INFO", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("WARN", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log("ERROR", message, fields);
  }
  fatal(message: string, fields?: LogFields): void {
    this.log("FATAL", message, fields);
  }

  /** Writes one record when `level` is enabled; the message and fields are redacted. */
  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const record: LogRecord = {
      time: this.#settings.clock(),
      level,
      scope: this.#scope,
      message: redactSip(message),
      fields: formatFields(fields),
    };
    this.#settings.sink(formatLine(record), record);
  }
}

/**
 * Creates a logger for `scope`. Without settings it follows the process-wide ones
 * ({@link configureLogging}); with settings it gets its own (tests pass a sink and a clock).
 */
export function createLogger(scope: string, settings?: LogSettings): Logger {
  if (settings === undefined) return new Logger(scope, globalSettings);
  return new Logger(scope, {
    level: settings.level ?? "INFO",
    sink: settings.sink ?? consoleSink,
    clock: settings.clock ?? (() => new Date()),
  });
}
