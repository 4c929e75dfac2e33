/**
 * The accept set of `parseVia()` (via.ts) as a scanner over indexes: `checkVia()` validates
 * the Vias of a response with it. Keep the two in step:
 * `tests/signaling/message/via_check_test.ts` compares them on generated Vias and RFC 4475.
 *
 * @module
 */
import { isParamList, readToken, skipLws } from "./_scan.ts";

/** Whether `parseVia()` accepts `value`: its rules on indexes, nothing built. */
export function isVia(value: string): boolean {
  const n = value.length;
  let i = skipLws(value, 0);
  for (let part = 0; part < 2; part++) { // protocol-name "/" protocol-version "/"
    const s = i;
    i = readToken(value, i);
    if (i === s) return false;
    i = skipLws(value, i);
    if (value.charCodeAt(i) !== 47) return false;
    i = skipLws(value, i + 1);
  }
  const s = i;
  i = readToken(value, i); // transport
  if (i === s) return false;
  const afterTransport = i;
  i = skipLws(value, i);
  if (i === afterTransport) return false;
  const host = i;
  if (value.charCodeAt(i) === 91) {
    const close = value.indexOf("]", i);
    if (close < 0) return false;
    i = close + 1;
  } else {
    while (i < n && isHostChar(value.charCodeAt(i))) i++;
  }
  if (i === host) return false;
  i = skipLws(value, i);
  if (i < n && value.charCodeAt(i) === 58) {
    i = skipLws(value, i + 1);
    const digits = i;
    let port = 0;
    while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) {
      port = port * 10 + value.charCodeAt(i) - 48;
      i++;
    }
    if (i === digits || i - digits > 5 || port > 65535) return false;
  }
  return isParamList(value, i);
}

/** Host name characters of a sent-by (alphanum, "-", ".", "_"). */
function isHostChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 ||
    c === 46 || c === 95;
}
