/** A DNS message that cannot be decoded or encoded. */
export class DnsParseError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "DnsParseError";
  }
}

/** A name that could not be resolved: every nameserver failed, or no usable target exists. */
export class DnsResolutionError extends Error {
  /** The name being resolved (a domain, or an SRV / NAPTR owner name). */
  readonly domain: string;
  /** The record type that failed, or "targets" for the RFC 3263 procedure as a whole. */
  readonly recordType: string;

  constructor(domain: string, recordType: string, detail: string, options?: ErrorOptions) {
    super(`Cannot resolve ${domain} ${recordType}: ${detail}`, options);
    this.name = "DnsResolutionError";
    this.domain = domain;
    this.recordType = recordType;
  }
}
