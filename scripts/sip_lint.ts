/**
 * sip-lint: parses SIP message files (one datagram each) and prints one line per file:
 * `FILE: OK <method or status>` or `FILE: REJECT <status> <reason>`. Exits 0 only when every
 * file is OK.
 *
 *   deno task sip-lint FILE...
 */
import { parseMessage, SipParseError } from "../mod/signaling/message/mod.ts";

/** Lint result line of one file's bytes. */
export function lintBytes(name: string, bytes: Uint8Array): { ok: boolean; line: string } {
  try {
    const msg = parseMessage(bytes);
    const what = msg.kind === "request" ? msg.method : String(msg.status);
    return { ok: true, line: `${name}: OK ${what}` };
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    const status = e.status === 0 ? "drop" : String(e.status);
    return { ok: false, line: `${name}: REJECT ${status} ${e.message}` };
  }
}

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    await Deno.stderr.write(new TextEncoder().encode("usage: sip_lint.ts FILE...\n"));
    return 2;
  }
  let failed = false;
  const out: string[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(file);
    } catch (e) {
      out.push(`${file}: REJECT unreadable ${(e as Error).message}`);
      failed = true;
      continue;
    }
    const r = lintBytes(file, bytes);
    out.push(r.line);
    if (!r.ok) failed = true;
  }
  await Deno.stdout.write(new TextEncoder().encode(out.join("\n") + "\n"));
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
