import { ok, strictEqual } from "node:assert/strict";
import {
  loadTlsCredentials,
  type TlsCredentials,
  TransportLayer,
} from "../../../mod/signaling/transport/mod.ts";
import { FakeClock } from "../../_fake_clock.ts";
import {
  closeQuietly,
  encoder,
  eventually,
  Inbox,
  makeCertificates,
  optionsRequest,
  readUntil,
  type TestCertificates,
} from "./_helpers.ts";

let certificates: Promise<TestCertificates> | undefined;
function certs(): Promise<TestCertificates> {
  certificates ??= makeCertificates();
  return certificates;
}

async function tlsLayer(
  inbox: Inbox,
  tls: TlsCredentials,
  options: ConstructorParameters<typeof TransportLayer>[1] = {},
): Promise<{ layer: TransportLayer; port: number }> {
  const layer = new TransportLayer(inbox, options);
  const transport = await layer.listen({ protocol: "tls", hostname: "127.0.0.1", port: 0, tls });
  return { layer, port: transport.local.port };
}

Deno.test("listenTls() delivers an OPTIONS from a client that trusts the test CA", async () => {
  const { ca, cert, key } = await certs();
  const inbox = new Inbox();
  const { layer, port } = await tlsLayer(inbox, { cert, key });
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca] });
  try {
    await conn.write(encoder.encode(optionsRequest("TLS")));
    const { message, flow } = await inbox.message();
    strictEqual(message.kind === "request" && message.method, "OPTIONS");
    strictEqual(flow.protocol, "tls");
    await layer.send(encoder.encode("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), flow);
    const answer = await readUntil(conn, (text) => text.endsWith("\r\n\r\n"));
    strictEqual(answer, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    await conn.write(encoder.encode("\r\n\r\n"));
    strictEqual(await readUntil(conn, (text) => text.length >= 2), "\r\n");
  } finally {
    conn.close();
    await layer.close();
  }
  strictEqual(layer.flowCount, 0);
});

Deno.test("TcpTransport.flowTo() over TLS verifies the server against the CA file", async () => {
  const { ca, cert, key, paths } = await certs();
  const serverInbox = new Inbox();
  const { layer: server, port } = await tlsLayer(serverInbox, { cert, key });
  const credentials = await loadTlsCredentials(paths, true);
  strictEqual(credentials.ca, ca);
  const { layer: client } = await tlsLayer(new Inbox(), credentials);
  try {
    const flow = await client.flowTo("tls", { host: "127.0.0.1", port });
    strictEqual(flow.protocol, "tls");
    strictEqual(await client.flowTo("tls", { host: "127.0.0.1", port }), flow);
    await client.send(encoder.encode(optionsRequest("TLS")), flow);
    const { message } = await serverInbox.message();
    strictEqual(message.headers.get("cseq"), "1 OPTIONS");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("TcpTransport.flowTo() over TLS refuses a server its CA file does not vouch for", async () => {
  const { cert, key } = await certs();
  const other = await makeCertificates();
  const { layer: server, port } = await tlsLayer(new Inbox(), { cert, key });
  const { layer: client } = await tlsLayer(new Inbox(), {
    cert: other.cert,
    key: other.key,
    ca: other.ca,
    verify: true,
  });
  try {
    let error: unknown;
    await client.flowTo("tls", { host: "127.0.0.1", port }).catch((e) => error = e);
    ok(error instanceof Error, "the handshake fails");
    await eventually(() => client.flowCount === 0, "the failed flow to go");
  } finally {
    await client.close();
    await server.close();
    await Deno.remove(other.dir, { recursive: true });
  }
});

Deno.test("TcpTransport.flowTo() over TLS checks the host name only when verify is on", async () => {
  const { ca, cert, key } = await certs();
  const serverInbox = new Inbox();
  // the leaf names 127.0.0.1, ::1 and localhost, not 127.0.0.2
  const server = new TransportLayer(serverInbox);
  const listening = await server.listen({
    protocol: "tls",
    hostname: "127.0.0.2",
    port: 0,
    tls: { cert, key },
  });
  const dest = { host: "127.0.0.2", port: listening.local.port };
  const strict = new TransportLayer(new Inbox());
  const lax = new TransportLayer(new Inbox());
  try {
    await strict.listen({
      protocol: "tls",
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert, key, ca },
    });
    await lax.listen({
      protocol: "tls",
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert, key, ca, verify: false },
    });
    let error: unknown;
    await strict.flowTo("tls", dest).catch((e) => error = e);
    ok(error instanceof Error, "verify=yes refuses a certificate for another name");
    const flow = await lax.flowTo("tls", dest);
    await lax.send(encoder.encode(optionsRequest("TLS")), flow);
    await serverInbox.message();
  } finally {
    await lax.close();
    await strict.close();
    await server.close();
  }
});

Deno.test("listenTls() closes a connection whose handshake does not finish in time", async () => {
  const { cert, key } = await certs();
  const inbox = new Inbox();
  const clock = new FakeClock();
  const { layer, port } = await tlsLayer(inbox, { cert, key }, { clock });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port }); // plain TCP: never hands shake
  try {
    await eventually(() => layer.flowCount === 1, "the connection to be accepted");
    const [flow] = layer.flows();
    clock.advance(layer.limits.handshakeTimeoutMs - 1);
    strictEqual(flow.closed, false);
    clock.advance(1);
    strictEqual(layer.counters.handshakeTimeouts, 1);
    strictEqual(flow.closed, true);
    strictEqual(layer.flow(flow.id), undefined, "a timed-out flow cannot be used");
    // Deno frees the socket of a pending handshake once the peer acts; until then the flow
    // still counts against the per-IP limit
    conn.close();
    await inbox.until(() => inbox.closedFlows.length === 1, "onFlowClosed");
    strictEqual(layer.flowCount, 0);
  } finally {
    closeQuietly(conn);
    await layer.close();
  }
});

Deno.test("loadTlsCredentials() reads the key, cert and CA files", async () => {
  const { ca, cert, key, paths, dir } = await certs();
  const credentials = await loadTlsCredentials({ key: paths.key, cert: paths.cert }, false);
  strictEqual(credentials.key, key);
  strictEqual(credentials.cert, cert);
  strictEqual(credentials.ca, undefined);
  strictEqual(credentials.verify, false);
  strictEqual((await loadTlsCredentials(paths)).ca, ca);
  await Deno.remove(dir, { recursive: true }); // last test of the file
});
