import nodeAssert from "node:assert";
import { lintBytes } from "../../scripts/sip_lint.ts";
import { RFC4475_CORPUS } from "../fixtures/rfc4475.ts";

const SCRIPT = new URL("../../scripts/sip_lint.ts", import.meta.url);
const CORPUS = RFC4475_CORPUS;
const corpus = (() => {
  try {
    return Deno.statSync(CORPUS).isDirectory;
  } catch {
    return false;
  }
})();

async function run(...files: string[]): Promise<{ code: number; lines: string[] }> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", SCRIPT.pathname, ...files],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout } = await cmd.output();
  return { code, lines: new TextDecoder().decode(stdout).trim().split("\n") };
}

Deno.test({
  name: "sip_lint.ts prints OK and REJECT lines and exits 1 when a file is rejected",
  ignore: !corpus,
  async fn() {
    const good = new URL("wsinv.dat", CORPUS).pathname;
    const bad = new URL("badvers.dat", CORPUS).pathname;
    const both = await run(good, bad);
    nodeAssert.deepStrictEqual(both.lines[0], `${good}: OK INVITE`);
    nodeAssert.match(both.lines[1], new RegExp(`^${bad}: REJECT 505 `));
    nodeAssert.strictEqual(both.code, 1);
    const ok = await run(good);
    nodeAssert.strictEqual(ok.code, 0);
  },
});

Deno.test("lintBytes() reports drops of bad responses", () => {
  const r = lintBytes("x", new TextEncoder().encode("SIP/2.0 4294967301 big\r\n\r\n"));
  nodeAssert.strictEqual(r.ok, false);
  nodeAssert.match(r.line, /^x: REJECT drop /);
});
