/**
 * Heap allocated per parsed message, kept alive (what eager validation caches), and per typed
 * value the parser builds: the figures behind the "eager parsing" plan in RESULTS.md.
 *
 * Usage: `deno run -A --v8-flags=--expose-gc scripts/bench/parse_heap.ts [--count 20000]`
 *
 * @module
 */

import {
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
} from "../../mod/signaling/message/mod.ts";
import { parseFlags, print } from "./message_relay.ts";
import { relayMessage, relayResponse } from "./_relay_messages.ts";

/** Bytes of heap per value kept alive, `count` values made by `make`. */
function retained(count: number, make: (i: number) => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("Cannot measure: run with --v8-flags=--expose-gc");
  gc();
  gc();
  const before = Deno.memoryUsage().heapUsed;
  const kept = new Array(count);
  for (let i = 0; i < count; i++) kept[i] = make(i);
  gc();
  gc();
  const after = Deno.memoryUsage().heapUsed;
  if (kept.length !== count) throw new Error("lost values");
  return (after - before) / count;
}

const f = parseFlags(Deno.args);
const count = Number(f.count ?? 20000);
const inputs = Array.from({ length: count }, (_, i) => relayMessage(i));
print(`${count} values each, bytes of JS heap kept per value (inputs allocated beforehand)`);
print(
  `parseMessage() of a ${inputs[0].length}-byte MESSAGE: ${
    retained(count, (i) => parseMessage(inputs[i])).toFixed(0)
  }`,
);
const responses = Array.from({ length: count }, (_, i) => relayResponse(i));
print(
  `parseMessage() of a ${responses[0].length}-byte 200 OK (2 Vias): ${
    retained(count, (i) => parseMessage(responses[i])).toFixed(0)
  }`,
);
const rows: [string, (i: number) => unknown][] = [
  ["new Map()", () => new Map()],
  ["parseUri() sip:user@host:port", (i) => parseUri(`sip:c${i}@127.0.0.1:5090`)],
  ["parseNameAddr() <sip:user@host>;tag", (i) => parseNameAddr(`<sip:c${i}@127.0.0.1>;tag=t${i}`)],
  [
    "parseVia() WS, branch, rport",
    (i) => parseVia(`SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${i}abcdef;rport`),
  ],
  ["parseCSeq()", (i) => parseCSeq(`${i} MESSAGE`)],
];
for (const [name, make] of rows) print(`${name}: ${retained(count, make).toFixed(0)}`);
