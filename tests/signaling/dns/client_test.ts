import { assertEquals, assertRejects } from "../../_assert.ts";
import { queryNameServers } from "../../../mod/signaling/dns/client.ts";
import { DnsResolutionError } from "../../../mod/signaling/dns/errors.ts";
import { decodeDnsMessage, DNS_RCODES, encodeDnsMessage } from "../../../mod/signaling/dns/wire.ts";
import { type DnsServerRecords, startDnsServer } from "../../interop/_dns_server.ts";

const RECORDS: DnsServerRecords = {
  "h.test": { A: ["127.0.0.9"], ttl: 42 },
  "big.test": { A: Array.from({ length: 60 }, (_, i) => `10.0.${i}.1`), behaviour: "truncate" },
};

Deno.test("queryNameServers() gets records and TTLs from a nameserver over UDP", async () => {
  const server = await startDnsServer(RECORDS);
  try {
    const answer = await queryNameServers("h.test", "A", [{
      host: "127.0.0.1",
      port: server.port,
    }]);
    assertEquals(answer.answers, [{ type: "A", name: "h.test", ttl: 42, address: "127.0.0.9" }]);
    const missing = await queryNameServers("nope.test", "A", [
      { host: "127.0.0.1", port: server.port },
    ]);
    assertEquals(missing.rcode, DNS_RCODES.NXDOMAIN);
    assertEquals(server.queries, 2);
  } finally {
    await server.close();
  }
});

Deno.test("queryNameServers() moves on from a silent nameserver after the timeout", async () => {
  const dead = await startDnsServer(RECORDS, { behaviour: "drop" });
  const alive = await startDnsServer(RECORDS);
  try {
    const started = performance.now();
    const answer = await queryNameServers("h.test", "A", [
      { host: "127.0.0.1", port: dead.port },
      { host: "127.0.0.1", port: alive.port },
    ], { timeout: 200 });
    const elapsed = performance.now() - started;
    assertEquals(answer.answers.length, 1);
    assertEquals([dead.queries, alive.queries], [1, 1]);
    assertEquals(elapsed >= 190 && elapsed < 1500, true, `took ${elapsed} ms`);
  } finally {
    await dead.close();
    await alive.close();
  }
});

Deno.test("queryNameServers() retries each nameserver `attempts` times and names every failure", async () => {
  const dead = await startDnsServer(RECORDS, { behaviour: "drop" });
  const broken = await startDnsServer(RECORDS, { behaviour: "servfail" });
  try {
    const error = await assertRejects(
      () =>
        queryNameServers("h.test", "SRV", [
          { host: "127.0.0.1", port: dead.port },
          { host: "127.0.0.1", port: broken.port },
        ], { timeout: 100, attempts: 2 }),
      DnsResolutionError,
      `Cannot resolve h.test SRV: no nameserver answered: 127.0.0.1:${dead.port} timed out after 100 ms`,
    );
    assertEquals(error.message.includes(`127.0.0.1:${broken.port} answered SERVFAIL`), true);
    assertEquals([dead.queries, broken.queries], [2, 2]);
  } finally {
    await dead.close();
    await broken.close();
  }
});

Deno.test("queryNameServers() repeats a truncated query over TCP", async () => {
  const server = await startDnsServer(RECORDS);
  try {
    const answer = await queryNameServers("big.test", "A", [
      { host: "127.0.0.1", port: server.port },
    ]);
    assertEquals(answer.answers.length, 60);
    assertEquals(server.log.map((q) => q.transport), ["udp", "tcp"]);
  } finally {
    await server.close();
  }
});

Deno.test("queryNameServers() ignores answers with another id or question", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  const serving = (async () => {
    const [bytes, from] = await socket.receive();
    const query = decodeDnsMessage(bytes);
    const base = { ...query, response: true, authorities: [], additionals: [] };
    const forged = (id: number, name: string, address: string) =>
      encodeDnsMessage({
        ...base,
        id,
        questions: [{ name, type: "A" }],
        answers: [{ type: "A", name, ttl: 1, address }],
      });
    await socket.send(forged((query.id + 1) & 0xffff, "h.test", "10.6.6.6"), from);
    await socket.send(forged(query.id, "evil.test", "10.6.6.7"), from);
    await socket.send(forged(query.id, "H.TEST", "127.0.0.9"), from);
  })();
  try {
    const answer = await queryNameServers("h.test", "A", [{ host: "127.0.0.1", port }], {
      timeout: 1000,
    });
    assertEquals(answer.answers.map((r) => r.type === "A" && r.address), ["127.0.0.9"]);
  } finally {
    await serving;
    socket.close();
  }
});

Deno.test("queryNameServers() refuses to run without nameservers", async () => {
  await assertRejects(
    () => queryNameServers("h.test", "A", []),
    DnsResolutionError,
    "Cannot resolve h.test A: no nameserver is configured",
  );
});
