import { assert, assertEquals } from "../../_assert.ts";
import { defaultPort, LocalAddresses } from "../../../mod/signaling/proxy/local_addresses.ts";

const listen = [
  { protocol: "udp" as const, local: { host: "0.0.0.0", port: 10060 } },
  { protocol: "ws" as const, local: { host: "0.0.0.0", port: 10060 } },
  { protocol: "tcp" as const, local: { host: "192.0.2.1", port: 5060 } },
];

Deno.test("LocalAddresses.advertised() prefers public-address, else the bound or an interface address", () => {
  const withPublic = new LocalAddresses(listen, { publicAddress: "gw.example.net" });
  assertEquals(withPublic.advertised("udp"), { host: "gw.example.net", port: 10060 });
  const plain = new LocalAddresses(listen, { interfaceAddresses: ["::1", "198.51.100.4"] });
  assertEquals(plain.advertised("udp"), { host: "198.51.100.4", port: 10060 });
  assertEquals(plain.advertised("tcp"), { host: "192.0.2.1", port: 5060 });
  assertEquals(plain.advertised("tls"), undefined);
  assertEquals(plain.protocols(), ["udp", "ws", "tcp"]);
});

Deno.test("LocalAddresses.isLocal() matches our hosts and ports, default ports included", () => {
  const local = new LocalAddresses(listen, { aliases: ["GW.example.net"] });
  assert(local.isLocal("127.0.0.1", 10060));
  assert(local.isLocal("[::1]", 10060));
  assert(local.isLocal("gw.example.net", undefined));
  assert(local.isLocal("192.0.2.1", 5060));
  assertEquals(local.isLocal("192.0.2.1", 5070), false);
  assertEquals(local.isLocal("192.0.2.99", 5060), false);
  assertEquals(local.isLocal("gw.example.net", undefined, "sips"), false);
});

Deno.test("defaultPort() follows the scheme and transport", () => {
  assertEquals(
    [
      defaultPort("sip"),
      defaultPort("sips"),
      defaultPort("sip", "TLS"),
      defaultPort("sip", "ws"),
      defaultPort("sip", "wss"),
    ],
    [5060, 5061, 5061, 80, 443],
  );
});
