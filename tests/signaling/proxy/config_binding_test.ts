import { assertEquals } from "../../_assert.ts";
import { Secret } from "../../../mod/log.ts";
import { parseUri } from "../../../mod/signaling/message/mod.ts";
import {
  destinationRuleText,
  dnsResolver,
  proxyOptionsFromConfig,
} from "../../../mod/signaling/proxy/config_binding.ts";
import { RelayPolicy } from "../../../mod/signaling/proxy/relay_policy.ts";

Deno.test("destinationRuleText() writes each configured rule in relay policy syntax", () => {
  assertEquals(
    [
      destinationRuleText({ type: "any" }),
      destinationRuleText({ type: "network", family: 4, address: "10.0.0.0", prefixLength: 8 }),
      destinationRuleText({ type: "network", family: 6, address: "::1", prefixLength: 128 }),
      destinationRuleText({ type: "domain", name: "example.com", subdomains: false }),
      destinationRuleText({ type: "domain", name: "example.com", subdomains: true }),
    ],
    ["*", "10.0.0.0/8", "::1/128", "example.com", "*.example.com"],
  );
});

Deno.test("proxyOptionsFromConfig() carries public address, destinations and the revealed secret", () => {
  const options = proxyOptionsFromConfig({
    publicAddress: "gw.example.net",
    allowedDestinations: [{ type: "domain", name: "example.com", subdomains: false }],
    flowTokenSecret: new Secret("s3cret"),
  }, { instanceId: "i1" });
  assertEquals(options.publicAddress, "gw.example.net");
  assertEquals(options.flowTokenSecret, "s3cret");
  assertEquals(options.instanceId, "i1");
  const policy = new RelayPolicy(options.allowedDestinations as string[]);
  assertEquals([policy.allowsHost("example.com"), policy.allowsHost("evil.net")], [true, false]);
});

Deno.test("dnsResolver() resolves through the given lookup with the proxy's transports", async () => {
  const asked: string[] = [];
  const resolver = dnsResolver((name, type) => {
    asked.push(`${type} ${name}`);
    if (type === "A") return Promise.resolve([{ type: "A", name, ttl: 60, address: "10.0.0.5" }]);
    return Promise.resolve([]);
  });
  const targets = await resolver(parseUri("sip:pbx.example.org:5070"), { transports: ["tcp"] });
  assertEquals(targets.map((t) => [t.protocol, t.host, t.port]), [["tcp", "10.0.0.5", 5070]]);
  assertEquals(asked.includes("A pbx.example.org"), true);
});
