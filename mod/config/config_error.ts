/**
 * The error that stops startup on a bad configuration.
 * @module
 */

/** Details of a {@link ConfigError}. */
export interface ConfigErrorDetails {
  /** File name, or `embedded default`. */
  source?: string;
  /** Element name as written. */
  element?: string;
  /** 1-based line of the element (or of the XML error). */
  line?: number;
  /** The offending value as written (`[redacted]` for secrets). */
  value?: string;
  /** What was expected instead. */
  expected?: string;
}

/**
 * A configuration that cannot be used. The message names the source, line, element, value and
 * what was expected:
 * `Cannot load config.xml: <transport> on line 7 has value "udp;*;x": expected a port ...`.
 */
export class ConfigError extends SyntaxError {
  readonly source?: string;
  readonly element?: string;
  readonly line?: number;
  readonly value?: string;
  readonly expected?: string;

  constructor(message: string, details: ConfigErrorDetails = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
    this.source = details.source;
    this.element = details.element;
    this.line = details.line;
    this.value = details.value;
    this.expected = details.expected;
  }
}

/** Builds the {@link ConfigError} for a bad element value. */
export function badValueError(
  details: Required<Omit<ConfigErrorDetails, "line">> & {
    line?: number;
  },
): ConfigError {
  const where = details.line === undefined ? "" : ` on line ${details.line}`;
  const message = `Cannot load ${details.source}: <${details.element}>${where} has value ` +
    `${JSON.stringify(details.value)}: expected ${details.expected}`;
  return new ConfigError(message, details);
}
