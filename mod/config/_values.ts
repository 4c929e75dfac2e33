// Value syntax shared by the element parsers: `;` lists, yes/no, integers, ports, hosts.
// Parsers throw InvalidValue with what was expected; parse.ts turns it into a ConfigError
// naming the element, its line and its value.

import { isHostname, parseIPv4, parseIPv6, unbracket } from "./_ip.ts";

/** Thrown by value parsers; `expected` completes "expected ...". */
export class InvalidValue extends Error {
  readonly expected: string;
  constructor(expected: string) {
    super(`expected ${expected}`);
    this.name = "InvalidValue";
    this.expected = expected;
  }
}

/**
 * Splits an element value on `;`, trimming whitespace and newlines around each field and
 * dropping empty trailing fields (a final `;`).
 */
export function splitValue(value: string): string[] {
  const fields = value.split(";").map((field) => field.trim());
  while (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
  return fields;
}

/** `yes`/`no` (also `true`/`false`, `on`/`off`, `1`/`0`), case-insensitive. */
export function parseBoolean(text: string): boolean {
  switch (text.trim().toLowerCase()) {
    case "yes":
    case "true":
    case "on":
    case "1":
      return true;
    case "no":
    case "false":
    case "off":
    case "0":
      return false;
  }
  throw new InvalidValue("yes or no");
}

/** A decimal integer within [min, max]; `what` names it in the error. */
export function parseInteger(text: string, min: number, max: number, what: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d{1,16}$/.test(trimmed)) {
    throw new InvalidValue(`${what} as an integer from ${min} to ${max}, got "${trimmed}"`);
  }
  const n = Number(trimmed);
  if (n < min || n > max) {
    throw new InvalidValue(`${what} as an integer from ${min} to ${max}, got ${n}`);
  }
  return n;
}

/** A number of seconds (decimals allowed) within [0, max], returned in milliseconds. */
export function parseSecondsToMs(text: string, max: number, what: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,9}(\.\d{1,3})?$/.test(trimmed) || Number(trimmed) > max) {
    throw new InvalidValue(`${what} as seconds from 0 to ${max} (decimals allowed)`);
  }
  return Math.round(Number(trimmed) * 1000);
}

/** A port 1-65535, or 0 when `star` allows `*` (system choice). */
export function parsePort(text: string, what: string, star = false): number {
  const trimmed = text.trim();
  if (star && trimmed === "*") return 0;
  if (!/^\d{1,5}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 65535) {
    const alt = star ? " or *" : "";
    throw new InvalidValue(`${what} as a port from 1 to 65535${alt}, got "${trimmed}"`);
  }
  return Number(trimmed);
}

/** IPv4, IPv6 (with or without brackets) or host name; returns IPv6 without brackets. */
export function parseHost(text: string, what: string): string {
  const trimmed = text.trim();
  const bare = unbracket(trimmed);
  if (parseIPv4(bare) || parseIPv6(bare)) return bare;
  if (bare === trimmed && isHostname(trimmed)) return trimmed;
  throw new InvalidValue(`${what} as an IPv4 or IPv6 address or a host name, got "${trimmed}"`);
}

/**
 * `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 (`::1`) has no port. Host names
 * are allowed only when `names` is true.
 */
export function parseHostPort(
  text: string,
  what: string,
  names: boolean,
): { host: string; port?: number } {
  const trimmed = text.trim();
  const expected = names
    ? `${what} as host, host:port or [IPv6]:port, got "${trimmed}"`
    : `${what} as ip, ip:port or [IPv6]:port, got "${trimmed}"`;
  let host = trimmed;
  let port: number | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1];
    if (!parseIPv6(host)) throw new InvalidValue(expected);
    if (bracketed[2] !== undefined) port = parsePortOr(bracketed[2], expected);
    return port === undefined ? { host } : { host, port };
  }
  if (parseIPv6(trimmed)) return { host: trimmed };
  const colon = trimmed.lastIndexOf(":");
  if (colon >= 0) {
    host = trimmed.slice(0, colon);
    port = parsePortOr(trimmed.slice(colon + 1), expected);
  }
  if (!parseIPv4(host) && !(names && isHostname(host))) throw new InvalidValue(expected);
  return port === undefined ? { host } : { host, port };
}

function parsePortOr(text: string, expected: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new InvalidValue(expected);
  }
  return Number(text);
}

/** One of `choices`, case-insensitive; returns the lower-case choice. */
export function parseChoice<T extends string>(
  text: string,
  choices: readonly T[],
  what: string,
): T {
  const lower = text.trim().toLowerCase();
  const found = choices.find((choice) => choice === lower);
  if (found === undefined) {
    throw new InvalidValue(`${what} as one of ${choices.join(", ")}, got "${text.trim()}"`);
  }
  return found;
}
