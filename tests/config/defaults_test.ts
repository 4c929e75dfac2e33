import { deepStrictEqual, ok } from "node:assert/strict";
import { parseConfig } from "../../mod/config/parse.ts";
import {
  DEFAULT_CONFIG_XML,
  DEFAULT_TRANSPORTS,
  LOOPBACK_DESTINATIONS,
  randomSecret,
} from "../../mod/config/defaults.ts";

const SHIPPED = new URL("../../config.xml", import.meta.url);

function withoutSecret(text: string, source: string) {
  const { config, warnings } = parseConfig(text, { source, randomSecret: () => "same" });
  return { config: { ...config, flowTokenSecret: config.flowTokenSecret.reveal() }, warnings };
}

Deno.test("DEFAULT_CONFIG_XML runs udp/tcp on 5060, ws on 10060, loopback destinations", () => {
  const { config, warnings } = parseConfig(DEFAULT_CONFIG_XML);
  deepStrictEqual(warnings, []);
  deepStrictEqual(config.transports, DEFAULT_TRANSPORTS);
  deepStrictEqual(config.allowedDestinations, LOOPBACK_DESTINATIONS);
});

Deno.test("DEFAULT_CONFIG_XML equals the repository's config.xml", () => {
  const shipped = withoutSecret(Deno.readTextFileSync(SHIPPED), "config.xml");
  const embedded = withoutSecret(DEFAULT_CONFIG_XML, "config.xml");
  deepStrictEqual(shipped, embedded);
});

Deno.test("randomSecret() gives 64 hex digits, different each time", () => {
  const a = randomSecret();
  ok(/^[0-9a-f]{64}$/.test(a));
  ok(a !== randomSecret());
});
