import { equal, ok } from "node:assert/strict";
import { ELEMENTS, findElement } from "../../mod/config/elements.ts";

const REFERENCE = new URL("../fixtures/config/webrtc2sip-2.7.0.config.xml.txt", import.meta.url);
const DOC = new URL("../../docs/configuration.md", import.meta.url);

Deno.test("findElement() is case-insensitive and knows the misspelled alias", () => {
  equal(findElement("Enable-RTP-Symetric")?.name, "enable-rtp-symetric");
  equal(findElement("enable-rtp-symmetric")?.name, "enable-rtp-symetric");
  equal(findElement("no-such-element"), undefined);
});

Deno.test("ELEMENTS covers every element of the original config.xml, comments included", () => {
  const text = Deno.readTextFileSync(REFERENCE);
  const names = new Set([...text.matchAll(/<!?-*([a-z][a-z0-9-]*)>/gi)].map((m) => m[1]));
  names.delete("config");
  ok(names.size >= 20);
  for (const name of names) ok(findElement(name), `<${name}> is missing`);
});

Deno.test("ELEMENTS are each documented in docs/configuration.md", () => {
  const doc = Deno.readTextFileSync(DOC);
  for (const spec of ELEMENTS) {
    for (const name of [spec.name, ...(spec.aliases ?? [])]) {
      ok(doc.includes(`\`<${name}>\``), `<${name}> is not documented`);
    }
  }
});
