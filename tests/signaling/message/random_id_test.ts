import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import {
  randomBase64url,
  randomHex,
  randomUint16,
} from "../../../mod/signaling/message/random_id.ts";

/** Replaces crypto.getRandomValues while `fn` runs; `fill` writes each refill. Returns the
 * number of refills; `fn` sees the running count. */
function withRandomSource(
  fill: (bytes: Uint8Array) => void,
  fn: (refills: () => number) => void,
): number {
  let calls = 0;
  const original = crypto.getRandomValues;
  Object.defineProperty(crypto, "getRandomValues", {
    configurable: true,
    writable: true,
    value: <T extends ArrayBufferView | null>(array: T): T => {
      calls++;
      fill(new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength));
      return array;
    },
  });
  try {
    fn(() => calls);
  } finally {
    delete (crypto as { getRandomValues?: unknown }).getRandomValues;
    assertEquals(crypto.getRandomValues, original);
  }
  return calls;
}

Deno.test("randomBase64url() draws base64url characters of the requested length", () => {
  for (const n of [0, 1, 12, 64]) {
    const s = randomBase64url(n);
    assertEquals(s.length, n);
    assert(/^[A-Za-z0-9_-]*$/.test(s), s);
  }
  assertThrows(() => randomBase64url(65), RangeError);
  assertThrows(() => randomBase64url(-1), RangeError);
  assertThrows(() => randomBase64url(1.5), RangeError);
});

Deno.test("randomBase64url() uses every symbol and never repeats a 72-bit draw", () => {
  const seen = new Set<string>();
  const symbols = new Set<string>();
  for (let i = 0; i < 5000; i++) { // 60,000 bytes: the pool is refilled ~15 times
    const s = randomBase64url(12);
    seen.add(s);
    for (const c of s) symbols.add(c);
  }
  assertEquals(seen.size, 5000);
  assertEquals(symbols.size, 64);
});

Deno.test("randomHex() draws two lowercase hex digits per byte", () => {
  const s = randomHex(8);
  assert(/^[0-9a-f]{16}$/.test(s), s);
  assertEquals(randomHex(0), "");
  assertThrows(() => randomHex(33), RangeError);
});

Deno.test("randomUint16() stays within 16 bits and varies", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const n = randomUint16();
    assert(Number.isInteger(n) && n >= 0 && n <= 0xffff, String(n));
    seen.add(n);
  }
  assert(seen.size > 900, `only ${seen.size} distinct ids in 1000`);
});

Deno.test("random_id draws CSPRNG bytes 4 KiB at a time and uses each byte once", () => {
  let first = "";
  const draws: string[] = [];
  const calls = withRandomSource(
    (bytes) => bytes.forEach((_, i) => bytes[i] = i & 0xff),
    (refills) => {
      // drain what the pool held before the stub: the draw that refills it reads byte 0
      for (let i = 0; i <= 4096 && refills() === 0; i++) first = randomHex(1);
      draws.push(randomHex(3), randomBase64url(4), String(randomUint16()));
    },
  );
  assertEquals(first, "00");
  // bytes 1-3 as hex, 4-7 as base64url (E F G H), 8-9 as a big-endian 16-bit number
  assertEquals(draws, ["010203", "EFGH", String(0x0809)]);
  assertEquals(calls, 1);
});

Deno.test("random_id refills its pool once per 4 KiB drawn, not per identifier", () => {
  const calls = withRandomSource(
    (bytes) => bytes.fill(7),
    () => {
      for (let i = 0; i < 4096; i++) randomBase64url(12); // 49,152 bytes
    },
  );
  assert(calls >= 12 && calls <= 13, `${calls} refills for 48 KiB`);
});
