/**
 * Finding and reading the configuration: `--config PATH`, else `./config.xml` when present
 * (as the original), else the embedded default.
 * @module
 */

import type { Config, ConfigWarning } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import { DEFAULT_CONFIG_XML, EMBEDDED_SOURCE } from "./defaults.ts";
import { parseConfig } from "./parse.ts";

/** Result of {@link loadConfig}. */
export interface LoadedConfig {
  config: Config;
  warnings: ConfigWarning[];
  /** The file read, or {@link EMBEDDED_SOURCE}. */
  source: string;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** File read when no path is given. @default {"./config.xml"} */
  defaultPath?: string;
  /** Reads a file. @default {Deno.readTextFile} */
  readTextFile?: (path: string) => Promise<string>;
  /** Checks the PEM files of `<ssl-certificates>`. @default {a Deno.stat check} */
  checkFile?: (path: string) => string | undefined;
}

/**
 * Loads `path`, or `./config.xml` when no path is given and that file exists, or the
 * embedded default. Throws {@link ConfigError} when the file cannot be read or is invalid.
 */
export async function loadConfig(
  path?: string,
  options: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  const read = options.readTextFile ?? Deno.readTextFile;
  const checkFile = options.checkFile ?? checkReadableFile;
  const file = path ?? options.defaultPath ?? "./config.xml";
  let text: string;
  try {
    text = await read(file);
  } catch (error) {
    if (path === undefined && error instanceof Deno.errors.NotFound) {
      const { config, warnings } = parseConfig(DEFAULT_CONFIG_XML, { source: EMBEDDED_SOURCE });
      return { config, warnings, source: EMBEDDED_SOURCE };
    }
    const reason = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new ConfigError(`Cannot load ${file}: ${reason}`, { source: file }, { cause: error });
  }
  const { config, warnings } = parseConfig(text, { source: file, checkFile });
  return { config, warnings, source: file };
}

/** Why `path` is not a readable file, or undefined when it is. */
export function checkReadableFile(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return info.isFile ? undefined : "not a file";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "file not found";
    if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
    return error instanceof Error ? error.message : String(error);
  }
}
