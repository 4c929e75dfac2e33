import fc from "fast-check";

/** Strings of `base` with up to 4 characters of `alphabet` inserted, or characters removed or
 * replaced, at random places (for scanner-versus-parser property tests). */
export function mutated(base: fc.Arbitrary<string>, alphabet: string): fc.Arbitrary<string> {
  return fc.tuple(
    base,
    fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...alphabet)), { maxLength: 4 }),
  ).map(([text, edits]) => {
    let out = text;
    for (const [at, kind, c] of edits) {
      const i = out.length === 0 ? 0 : at % (out.length + 1);
      if (kind === 0) out = out.slice(0, i) + c + out.slice(i);
      else if (kind === 1) out = out.slice(0, i) + out.slice(i + 1);
      else out = out.slice(0, i) + c + out.slice(i + 1);
    }
    return out;
  });
}
