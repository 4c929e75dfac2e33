import { deepStrictEqual, equal, match, ok, rejects } from "node:assert/strict";
import { checkReadableFile, loadConfig } from "../../mod/config/load.ts";
import { ConfigError } from "../../mod/config/config_error.ts";
import { EMBEDDED_SOURCE, LOOPBACK_DESTINATIONS } from "../../mod/config/defaults.ts";

const REFERENCE =
  new URL("../fixtures/config/webrtc2sip-2.7.0.config.xml.txt", import.meta.url).pathname;

Deno.test("loadConfig() reads the given path", async () => {
  const { config, source, warnings } = await loadConfig(REFERENCE);
  equal(source, REFERENCE);
  equal(config.debugLevel, "ERROR");
  ok(warnings.some((w) => w.element === "database"));
});

Deno.test("loadConfig() falls back to the embedded default when ./config.xml is absent", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { config, source, warnings } = await loadConfig(undefined, {
      defaultPath: `${dir}/config.xml`,
    });
    equal(source, EMBEDDED_SOURCE);
    deepStrictEqual(warnings, []);
    deepStrictEqual(config.allowedDestinations, LOOPBACK_DESTINATIONS);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig() reads ./config.xml when present and no path is given", async () => {
  const { source } = await loadConfig(undefined, {
    readTextFile: (path) => Promise.resolve(path === "./config.xml" ? "<config/>" : ""),
  });
  equal(source, "./config.xml");
});

Deno.test("loadConfig() fails with ConfigError when the given file is missing", async () => {
  await rejects(loadConfig("/nonexistent/webrtc2sip.xml"), (error) => {
    ok(error instanceof ConfigError);
    match(error.message, /^Cannot load \/nonexistent\/webrtc2sip.xml: file not found$/);
    return true;
  });
});

Deno.test("loadConfig() checks that ssl-certificates files exist", async () => {
  const text =
    "<config>\n<ssl-certificates>/nonexistent/k.pem;/nonexistent/c.pem</ssl-certificates>\n</config>";
  await rejects(loadConfig("x.xml", { readTextFile: () => Promise.resolve(text) }), (error) => {
    ok(error instanceof ConfigError);
    equal(error.line, 2);
    match(error.message, /file not found/);
    return true;
  });
});

Deno.test("checkReadableFile() tells a file from a directory and a missing path", async () => {
  const file = await Deno.makeTempFile();
  try {
    equal(checkReadableFile(file), undefined);
    equal(checkReadableFile("/"), "not a file");
    equal(checkReadableFile("/nonexistent/x"), "file not found");
  } finally {
    await Deno.remove(file);
  }
});
