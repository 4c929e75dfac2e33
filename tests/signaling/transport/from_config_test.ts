import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import {
  limitsFromConfig,
  listenConfigsFromConfig,
  TransportLayer,
} from "../../../mod/signaling/transport/mod.ts";
import { encoder, Inbox, makeCertificates, readUntil } from "./_helpers.ts";

Deno.test("limitsFromConfig() maps the config.xml limits", () => {
  deepStrictEqual(
    limitsFromConfig({
      maxMessageSize: 4096,
      maxConnectionsPerIp: 0,
      wsHandshakeTimeoutMs: 5000,
      idleTimeoutMs: 0,
      websocketPingIntervalMs: 20000,
      udpReceiveBuffer: 1048576,
    }),
    {
      maxMessageSize: 4096,
      maxConnectionsPerIp: 0,
      handshakeTimeoutMs: 5000,
      idleTimeoutMs: 0,
      wsPingIntervalMs: 20000,
      udpReceiveBuffer: 1048576,
    },
  );
});

Deno.test("listenConfigsFromConfig() loads the certificates for tls and wss only", async () => {
  const { paths, cert, key, ca, dir } = await makeCertificates();
  try {
    const configs = await listenConfigsFromConfig({
      transports: [
        { protocol: "udp", host: "*", port: 5060 },
        { protocol: "wss", host: "::", port: 10062 },
      ],
      sslCertificates: {
        privateKey: paths.key,
        publicCert: paths.cert,
        ca: paths.ca,
        verify: true,
      },
    });
    deepStrictEqual(configs, [
      { protocol: "udp", hostname: "0.0.0.0", port: 5060 },
      { protocol: "wss", hostname: "::", port: 10062, tls: { key, cert, ca, verify: true } },
    ]);
    await rejects(
      listenConfigsFromConfig({ transports: [{ protocol: "tls", host: "*", port: 5061 }] }),
      /<ssl-certificates> is not configured/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TransportLayer lets any number of connections in when maxConnectionsPerIp is 0", async () => {
  const inbox = new Inbox();
  const layer = new TransportLayer(inbox, { limits: { maxConnectionsPerIp: 0 } });
  const conns: Deno.Conn[] = [];
  try {
    const { local } = await layer.listen({ protocol: "tcp", hostname: "127.0.0.1", port: 0 });
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: local.port });
      conns.push(conn);
      await conn.write(encoder.encode("\r\n\r\n"));
      strictEqual(await readUntil(conn, (text) => text.length >= 2), "\r\n");
    }
    strictEqual(layer.counters.refusedConnections, 0);
    strictEqual(layer.flowCount, 3);
  } finally {
    for (const conn of conns) conn.close();
    await layer.close();
  }
});
