// IP address and host name syntax helpers for the configuration (no I/O).

/** The 4 bytes of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

/** The 16 bytes of an IPv6 address (RFC 4291 2.2 text forms, no zone), or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 ? (halves[1] === "" ? [] : halves[1].split(":")) : [];
  const groups: number[] = [];
  const all = halves.length === 2 ? [head, tail] : [head];
  const parsed: number[][] = [];
  for (const [index, list] of all.entries()) {
    const out: number[] = [];
    for (const [i, group] of list.entries()) {
      const last = index === all.length - 1 && i === list.length - 1;
      if (last && group.includes(".")) {
        const v4 = parseIPv4(group);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
        out.push(parseInt(group, 16));
      } else {
        return undefined;
      }
    }
    parsed.push(out);
  }
  if (halves.length === 1) {
    if (parsed[0].length !== 8) return undefined;
    groups.push(...parsed[0]);
  } else {
    const missing = 8 - parsed[0].length - parsed[1].length;
    if (missing < 1) return undefined;
    groups.push(...parsed[0], ...new Array<number>(missing).fill(0), ...parsed[1]);
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = groups[i] >> 8;
    bytes[2 * i + 1] = groups[i] & 0xff;
  }
  return bytes;
}

/** Whether `text` is a DNS host name (RFC 1123 labels, at most 253 characters). */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  const labels = name.split(".");
  // A numeric last label is a malformed IPv4 address (300.1.1.1), not a name.
  if (/^\d+$/.test(labels[labels.length - 1])) return false;
  return labels.every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/** Strips the brackets of `[v6]`; other text is returned as it is. */
export function unbracket(text: string): string {
  return text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
}

/** Whether the first `prefixLength` bits of `a` and `b` (same length) are equal. */
export function samePrefix(a: Uint8Array, b: Uint8Array, prefixLength: number): boolean {
  if (a.length !== b.length) return false;
  let bits = prefixLength;
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}
