import { ok } from "node:assert/strict";
import { describeConfig } from "../../mod/config/describe.ts";
import { parseConfig } from "../../mod/config/parse.ts";

const FULL = new URL("../fixtures/config/full.xml", import.meta.url);

Deno.test("describeConfig() summarizes transports and destinations without secrets", () => {
  const { config } = parseConfig(Deno.readTextFileSync(FULL));
  const text = describeConfig(config).join("\n");
  ok(
    text.includes("transports: udp 127.0.0.1:5070, tcp 127.0.0.1:5070, tls [::1]:5071, ws [::]:*"),
  );
  ok(text.includes("allowed-destinations: example.com, *.example.org, 10.0.0.0/8"));
  ok(!text.includes("stun-pass-123"));
  ok(!text.includes("fixture-secret"));
});
