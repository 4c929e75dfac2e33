/**
 * Configuration: config.xml parsing, validation and defaults.
 * @module
 */

export type {
  CodecName,
  Config,
  ConfigWarning,
  DestinationRule,
  DtmfType,
  ListenProtocol,
  NameserverConfig,
  SipTimersConfig,
  SrtpMode,
  SrtpType,
  SslCertificatesConfig,
  StunServerConfig,
  TransportConfig,
  VideoSize,
} from "./config.ts";
export { ConfigError, type ConfigErrorDetails } from "./config_error.ts";
export {
  DEFAULT_CONFIG_XML,
  DEFAULT_SECURE_TRANSPORT,
  DEFAULT_TRANSPORTS,
  DEFAULTS,
  EMBEDDED_SOURCE,
  LOOPBACK_DESTINATIONS,
} from "./defaults.ts";
export { CODEC_NAMES, ELEMENTS, type ElementSpec, findElement, VIDEO_SIZES } from "./elements.ts";
export { parseConfig, type ParseConfigOptions, type ParsedConfig } from "./parse.ts";
export {
  checkReadableFile,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from "./load.ts";
export {
  formatDestinationRule,
  isDestinationAllowed,
  parseDestinationRule,
} from "./allowed_destinations.ts";
export { describeConfig } from "./describe.ts";
