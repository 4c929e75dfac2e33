/**
 * Cost of one identifier from the pooled CSPRNG against the ways it was drawn before: a
 * `crypto.getRandomValues` call per To tag, a boot prefix + counter per branch (cheap but
 * guessable).
 */
import { randomBase64url, randomHex } from "../../../mod/signaling/message/random_id.ts";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
let counter = 0;

Deno.bench("randomHex(8): To tag from the pool", { group: "tag", baseline: true }, () => {
  randomHex(8);
});

Deno.bench("To tag: getRandomValues(8) per call (before)", { group: "tag" }, () => {
  const b = crypto.getRandomValues(new Uint8Array(8));
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  if (s.length !== 16) throw new Error("bad tag");
});

Deno.bench("randomBase64url(12): branch from the pool", { group: "branch", baseline: true }, () => {
  randomBase64url(12);
});

Deno.bench("branch: boot prefix + counter (before, guessable)", { group: "branch" }, () => {
  let n = counter = (counter + 1) % 0x1000000000;
  let digits = "";
  for (let i = 0; i < 6; i++) {
    digits = BASE64URL[n % 64] + digits;
    n = Math.floor(n / 64);
  }
  if (digits.length !== 6) throw new Error("bad branch");
});

Deno.bench("branch: getRandomValues(12) per call", { group: "branch" }, () => {
  const b = crypto.getRandomValues(new Uint8Array(12));
  let s = "";
  for (const x of b) s += BASE64URL[x & 63];
  if (s.length !== 12) throw new Error("bad branch");
});
