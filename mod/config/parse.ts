/**
 * config.xml text -> typed {@link Config} plus warnings. Pure: no I/O except the optional
 * `checkFile` callback.
 * @module
 */

import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { Config, ConfigWarning, TransportConfig } from "./config.ts";
import { badValueError, ConfigError } from "./config_error.ts";
import {
  DEFAULT_SECURE_TRANSPORT,
  DEFAULT_TRANSPORTS,
  DEFAULTS,
  randomSecret,
} from "./defaults.ts";
import { type ElementContext, findElement } from "./elements.ts";
import { Secret } from "../log.ts";
import { InvalidValue } from "./_values.ts";

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Name of the file in messages. @default {"config.xml"} */
  source?: string;
  /**
   * Checks a file named by `<ssl-certificates>`; returns why it cannot be used, or
   * undefined when it can. @default {no check}
   */
  checkFile?: (path: string) => string | undefined;
  /** Generates the flow-token secret when none is configured. @default {randomSecret} */
  randomSecret?: () => string;
}

/** Result of {@link parseConfig}. */
export interface ParsedConfig {
  config: Config;
  warnings: ConfigWarning[];
}

interface XmlNode {
  [key: string]: unknown;
}

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;
const STREAM_PROTOCOLS = new Set(["tcp", "tls", "ws", "wss"]);

/**
 * Parses config.xml text. Element names are case-insensitive; values are split on `;` with
 * whitespace and newlines trimmed. Unknown and unsupported elements give warnings; a bad
 * value throws a {@link ConfigError} naming the element, its line, the value and what was
 * expected.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): ParsedConfig {
  const source = options.source ?? "config.xml";
  const xml = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lineOf = lineFinder(xml);
  const root = readRoot(xml, source, lineOf);

  const warnings: ConfigWarning[] = [];
  const draft: Partial<Config> = {};
  const firstLines = new Map<string, number>();
  const transportLines = new Map<TransportConfig, number>();

  for (const node of root.children) {
    const name = elementName(node);
    if (name === undefined) {
      const body = textOf(node);
      if (body !== undefined && body.trim() !== "") {
        warnings.push({
          message: `${source}: text outside any element ignored: ${JSON.stringify(body.trim())}`,
        });
      }
      continue;
    }
    const line = lineOf(startIndexOf(node) ?? 0);
    const where = `${source} line ${line}: <${name}>`;
    const spec = findElement(name);
    if (!spec) {
      warnings.push({ element: name, line, message: `${where} is not a known element; ignored` });
      continue;
    }
    if (spec.unsupported) {
      warnings.push({ element: name, line, message: `${where}: ${spec.unsupported}; ignored` });
      continue;
    }
    const value = elementText(node, name);
    if (value === undefined) {
      throw badValueError({
        source,
        element: name,
        line,
        value: "(child elements)",
        expected: `text: ${spec.syntax}`,
      });
    }
    const previous = firstLines.get(spec.name);
    if (previous !== undefined && !spec.repeatable) {
      warnings.push({
        element: name,
        line,
        message: `${where} repeats the one on line ${previous}; the last one is used`,
      });
    }
    if (previous === undefined) firstLines.set(spec.name, line);
    const ctx: ElementContext = {
      draft,
      line,
      transportLines,
      warn(message) {
        warnings.push({ element: name, line, message: `${where}: ${message}` });
      },
    };
    try {
      spec.apply(value, ctx);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      throw badValueError({
        source,
        element: name,
        line,
        value: spec.secret ? "[redacted]" : spec.redact ? spec.redact(value) : value.trim(),
        expected: error.expected,
      });
    }
  }

  const config = finish(draft, {
    source,
    warnings,
    transportLines,
    firstLines,
    options,
  });
  // In file order; warnings about the whole file (no line) last.
  warnings.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { config, warnings };
}

interface FinishContext {
  source: string;
  warnings: ConfigWarning[];
  transportLines: Map<TransportConfig, number>;
  firstLines: Map<string, number>;
  options: ParseConfigOptions;
}

// Defaults and the checks that need several elements.
function finish(draft: Partial<Config>, ctx: FinishContext): Config {
  const { source, warnings } = ctx;
  const ssl = draft.sslCertificates;
  const sslLine = ctx.firstLines.get("ssl-certificates");

  if (ssl && ctx.options.checkFile) {
    for (const path of [ssl.privateKey, ssl.publicCert, ...(ssl.ca ? [ssl.ca] : [])]) {
      const problem = ctx.options.checkFile(path);
      if (problem !== undefined) {
        throw badValueError({
          source,
          element: "ssl-certificates",
          line: sslLine,
          value: path,
          expected: `a readable PEM file (${problem})`,
        });
      }
    }
  }

  let transports: TransportConfig[];
  if (draft.transports === undefined) {
    transports = DEFAULT_TRANSPORTS.map((t) => ({ ...t }));
    if (ssl) transports.push({ ...DEFAULT_SECURE_TRANSPORT });
  } else {
    transports = [];
    for (const transport of draft.transports) {
      const line = ctx.transportLines.get(transport);
      if (!ssl && (transport.protocol === "tls" || transport.protocol === "wss")) {
        warnings.push({
          element: "transport",
          line,
          message: `${source} line ${line}: <transport> ${transport.protocol} needs ` +
            `<ssl-certificates>, which is not set; this transport is disabled`,
        });
        continue;
      }
      transports.push(transport);
    }
  }
  checkPortClashes(transports, ctx);
  if (!transports.some((t) => t.protocol === "ws" || t.protocol === "wss")) {
    warnings.push({
      element: "transport",
      message: `${source}: no ws or wss <transport>: web browsers cannot connect`,
    });
  }

  let allowedDestinations = draft.allowedDestinations;
  if (allowedDestinations === undefined) {
    allowedDestinations = [{ type: "any" }];
    warnings.push({
      element: "allowed-destinations",
      message: `${source}: no <allowed-destinations>: requests are forwarded to any ` +
        `destination (open relay); list your SIP domains or networks`,
    });
  }

  const flowTokenSecret = draft.flowTokenSecret ??
    new Secret((ctx.options.randomSecret ?? randomSecret)());

  return {
    ...structuredClone(DEFAULTS),
    ...draft,
    transports,
    allowedDestinations,
    flowTokenSecret,
  } as Config;
}

function checkPortClashes(transports: TransportConfig[], ctx: FinishContext): void {
  const seen = new Map<string, TransportConfig>();
  for (const transport of transports) {
    if (transport.port === 0) continue;
    const kind = STREAM_PROTOCOLS.has(transport.protocol) ? "stream" : "udp";
    const key = `${kind} ${transport.host} ${transport.port}`;
    const other = seen.get(key);
    if (other) {
      const line = ctx.transportLines.get(transport);
      const otherLine = ctx.transportLines.get(other);
      throw badValueError({
        source: ctx.source,
        element: "transport",
        line,
        value: `${transport.protocol};${transport.host};${transport.port}`,
        expected: `a port not already used by ${other.protocol}` +
          (otherLine === undefined ? "" : ` on line ${otherLine}`),
      });
    }
    seen.set(key, transport);
  }
}

function readRoot(
  xml: string,
  source: string,
  lineOf: (index: number) => number,
): { children: XmlNode[] } {
  if (/<!DOCTYPE/i.test(xml)) {
    const line = lineOf(xml.search(/<!DOCTYPE/i));
    throw new ConfigError(
      `Cannot load ${source}: XML error on line ${line}: a DOCTYPE is not allowed`,
      { source, line, expected: "no DOCTYPE" },
    );
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { line, msg } = valid.err;
    throw new ConfigError(`Cannot load ${source}: XML error on line ${line}: ${msg}`, {
      source,
      line,
      expected: "well-formed XML",
    });
  }
  let document: XmlNode[];
  try {
    const parser = new XMLParser({
      preserveOrder: true,
      captureMetaData: true,
      parseTagValue: false,
      trimValues: false,
      ignoreAttributes: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      processEntities: true,
      htmlEntities: false,
    });
    document = parser.parse(xml) as XmlNode[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot load ${source}: XML error: ${reason}`, {
      source,
      expected: "well-formed XML",
    }, { cause: error });
  }
  const elements = document.filter((node) => elementName(node) !== undefined);
  const root = elements.find((node) => elementName(node)?.toLowerCase() === "config");
  if (!root) {
    throw new ConfigError(`Cannot load ${source}: expected a <config> root element`, {
      source,
      expected: "a <config> root element",
    });
  }
  const name = elementName(root)!;
  const children = root[name];
  return { children: Array.isArray(children) ? children as XmlNode[] : [] };
}

function elementName(node: XmlNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== "#text" && key !== ":@" && !key.startsWith("?")) return key;
  }
  return undefined;
}

function textOf(node: XmlNode): string | undefined {
  const text = node["#text"];
  return text === undefined ? undefined : String(text);
}

// The text of an element, or undefined when it has child elements.
function elementText(node: XmlNode, name: string): string | undefined {
  const children = node[name];
  if (!Array.isArray(children)) return "";
  let text = "";
  for (const child of children as XmlNode[]) {
    if (elementName(child) !== undefined) return undefined;
    text += textOf(child) ?? "";
  }
  return text;
}

function startIndexOf(node: XmlNode): number | undefined {
  const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META];
  return meta?.startIndex;
}

// index in text -> 1-based line number.
function lineFinder(text: string): (index: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
