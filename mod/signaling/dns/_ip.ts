// IP literal helpers shared by the wire codec and the RFC 3263 resolver.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 literal. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** True for an IPv6 literal (without brackets). */
export function isIpv6(text: string): boolean {
  return parseIpv6(text) !== undefined;
}

/** Removes the brackets of an IPv6 reference (`[::1]` -> `::1`). */
export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** The 4 bytes of an IPv4 literal, or undefined. */
export function parseIpv4(text: string): Uint8Array | undefined {
  if (!isIpv4(text)) return undefined;
  return new Uint8Array(text.split(".").map(Number));
}

/** The 16 bytes of an IPv6 literal (RFC 4291 2.2, including an embedded IPv4 tail), or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const groups: number[] = [];
  const all = [...head, ...tail];
  for (let i = 0; i < all.length; i++) {
    const part = all[i];
    if (i === all.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (!v4) return undefined;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  const headGroups = groups.length - (tail.length === 0 ? 0 : countGroups(tail));
  if (halves.length === 1 && groups.length !== 8) return undefined;
  if (halves.length === 2 && groups.length > 7) return undefined;
  const bytes = new Uint8Array(16);
  const fill = 8 - groups.length;
  let index = 0;
  for (let g = 0; g < 8; g++) {
    let value = 0;
    if (halves.length === 2 && g >= headGroups && g < headGroups + fill) value = 0;
    else value = groups[index++];
    bytes[g * 2] = value >> 8;
    bytes[g * 2 + 1] = value & 0xff;
  }
  return bytes;
}

function countGroups(parts: string[]): number {
  const last = parts[parts.length - 1];
  return parts.length + (last.includes(".") ? 1 : 0);
}

/** RFC 5952 text form of 16 IPv6 bytes (lower case, longest zero run compressed). */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 4.2.2: a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}
