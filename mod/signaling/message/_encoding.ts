/** Heads that were not valid UTF-8 are decoded as latin1 and must be encoded back the same. */
const latin1Heads = new WeakSet<object>();

/** Marks headers decoded as latin1. */
export function markLatin1(headers: object): void {
  latin1Heads.add(headers);
}

/** True when `headers` were decoded as latin1. */
export function isLatin1(headers: object): boolean {
  return latin1Heads.has(headers);
}

/** Encodes a string char by char as bytes (chars above 0xFF become "?"). */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c > 255 ? 63 : c;
  }
  return out;
}

/**
 * Decodes bytes one char per byte (ISO-8859-1). TextDecoder("latin1") is windows-1252, which
 * maps 0x80-0x9F elsewhere and would not encode back to the same bytes.
 */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}
