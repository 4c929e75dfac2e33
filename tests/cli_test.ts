import { deepStrictEqual, equal, match, ok, throws } from "node:assert/strict";
import {
  listenForSignals,
  parseArgs,
  run,
  type RunOptions,
  USAGE,
  UsageError,
  VERSION,
} from "../mod/cli.ts";
import type { Config } from "../mod/config/config.ts";
import type { Logger } from "../mod/log.ts";
import meta from "../deno.json" with { type: "json" };

const ROOT = new URL("../", import.meta.url).pathname;
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const REFERENCE = new URL("./fixtures/config/webrtc2sip-2.7.0.config.xml.txt", import.meta.url)
  .pathname;

function io(extra: RunOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const options: RunOptions = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    sink: (line) => logs.push(line),
    load: { readTextFile: () => Promise.reject(new Deno.errors.NotFound("none")) },
    ...extra,
  };
  return { options, out, err, logs };
}

Deno.test("parseArgs() reads --config PATH, --config=PATH and the flags", () => {
  deepStrictEqual(parseArgs([]), { checkConfig: false, version: false, help: false });
  equal(parseArgs(["--config", "a.xml"]).config, "a.xml");
  equal(parseArgs(["--config=b.xml"]).config, "b.xml");
  deepStrictEqual(parseArgs(["--check-config", "--version", "-h"]), {
    checkConfig: true,
    version: true,
    help: true,
  });
});

Deno.test("parseArgs() rejects unknown flags and a missing PATH", () => {
  throws(() => parseArgs(["--verbose"]), UsageError);
  throws(() => parseArgs(["--config"]), /--config needs a PATH/);
  throws(() => parseArgs(["--config="]), /--config needs a PATH/);
  throws(() => parseArgs(["--config", "--check-config"]), /--config needs a PATH/);
});

Deno.test("run() prints the version of deno.json", async () => {
  const { options, out } = io();
  equal(await run(["--version"], options), 0);
  equal(out.join(""), `webrtc2sip ${meta.version}\n`);
  equal(VERSION, meta.version);
});

Deno.test("run() exits 2 with usage on an unknown flag", async () => {
  const { options, err } = io();
  equal(await run(["--bogus"], options), 2);
  match(err.join(""), /unknown argument "--bogus"/);
  ok(err.join("").includes(USAGE));
});

Deno.test("run() --check-config prints warnings and a summary, exit 0", async () => {
  const { options, out } = io({ load: {} });
  equal(await run(["--check-config", `--config=${REFERENCE}`], options), 0);
  const text = out.join("");
  match(text, /warning: .*line 45: <database>/);
  match(text, /OK \(5 warnings\)/);
  match(text, /transports: udp 0\.0\.0\.0:10060, ws 0\.0\.0\.0:10060/);
  ok(!text.includes("stun-password"));
});

Deno.test("run() exits 1 with the ConfigError message on a bad config", async () => {
  const bad = "<config>\n<transport>udp;*;99999</transport>\n</config>";
  const { options, err } = io({ load: { readTextFile: () => Promise.resolve(bad) } });
  equal(await run(["--config", "bad.xml"], options), 1);
  match(err.join(""), /^Cannot load bad.xml: <transport> on line 2 has value "udp;\*;99999"/);
});

Deno.test("run() starts the gateway with the config and a logger, closes it on a signal", async () => {
  const calls: string[] = [];
  let started: { config: Config; logger: Logger } | undefined;
  const { options, logs } = io({
    startGateway: (config, logger) => {
      started = { config, logger };
      calls.push("start");
      return Promise.resolve({
        close: () => {
          calls.push("close");
          return Promise.resolve();
        },
      });
    },
    waitForSignal: () => {
      calls.push("wait");
      return Promise.resolve("SIGTERM");
    },
  });
  equal(await run([], options), 0);
  deepStrictEqual(calls, ["wait", "start", "close"]);
  equal(started?.config.transports.length, 3);
  equal(started?.logger.scope, "gateway");
  ok(logs.some((line) => /INFO {2}\[gateway\] webrtc2sip .* starting/.test(line)));
  ok(logs.some((line) => /Stopping \{signal=SIGTERM\}/.test(line)));
});

Deno.test("run() exits 1 and logs FATAL when the gateway cannot start", async () => {
  const { options, logs } = io({
    startGateway: () => Promise.reject(new Error("EADDRINUSE")),
    waitForSignal: () => new Promise(() => {}),
  });
  equal(await run([], options), 1);
  ok(logs.some((line) => /FATAL \[gateway\] Cannot start the gateway .*EADDRINUSE/.test(line)));
});

Deno.test("run() logs the config warnings at start", async () => {
  const { options, logs } = io({
    load: {},
    startGateway: () => Promise.resolve({ close: () => Promise.resolve() }),
    waitForSignal: () => Promise.resolve("SIGINT"),
  });
  equal(await run(["--config", REFERENCE], options), 0);
  ok(logs.some((line) => /WARN {2}\[gateway\] .*<database>.*not supported/.test(line)));
});

async function spawnMain(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", MAIN, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("main.ts --version and --help exit 0", async () => {
  const version = await spawnMain(["--version"]);
  equal(version.code, 0);
  equal(version.stdout, `webrtc2sip ${meta.version}\n`);
  const help = await spawnMain(["--help"]);
  equal(help.code, 0);
  match(help.stdout, /--check-config/);
});

Deno.test("main.ts --check-config validates ./config.xml, exit 0", async () => {
  const result = await spawnMain(["--check-config"]);
  equal(result.code, 0, result.stderr);
  match(result.stdout, /^\.\/config\.xml: OK \(0 warnings\)/m);
  match(result.stdout, /allowed-destinations: 127\.0\.0\.0\/8, ::1, localhost/);
});

Deno.test("main.ts exits 1 on a bad config and 2 on an unknown flag", async () => {
  const file = await Deno.makeTempFile({ suffix: ".xml" });
  try {
    await Deno.writeTextFile(file, "<config>\n\n<srtp-mode>always</srtp-mode>\n</config>\n");
    const bad = await spawnMain(["--check-config", "--config", file]);
    equal(bad.code, 1);
    match(bad.stderr, /<srtp-mode> on line 3 has value "always": expected a mode as one of/);
    const missing = await spawnMain(["--config=/nonexistent/config.xml"]);
    equal(missing.code, 1);
    match(missing.stderr, /Cannot load \/nonexistent\/config.xml: file not found/);
    const unknown = await spawnMain(["--frobnicate"]);
    equal(unknown.code, 2);
    match(unknown.stderr, /unknown argument "--frobnicate"[\s\S]*Usage:/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("run() closes the gateway and exits 0 on SIGTERM in a real process", async () => {
  const cli = new URL("../mod/cli.ts", import.meta.url).href;
  const code = `
    import { run } from ${JSON.stringify(cli)};
    const write = (t) => Deno.stdout.writeSync(new TextEncoder().encode(t));
    const startGateway = () => {
      write("started\\n");
      return Promise.resolve({ close: () => { write("closed\\n"); return Promise.resolve(); } });
    };
    Deno.exit(await run([], { startGateway, sink: () => {}, load: { defaultPath: "/nonexistent/c.xml" } }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("started\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    ok(text.includes("started\n"), text);
    child.kill("SIGTERM");
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    await child.stderr.cancel();
    equal(status.code, 0);
    equal(text, "started\nclosed\n");
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("listenForSignals() resolves on SIGTERM and removes its listeners", async () => {
  const wait = listenForSignals();
  Deno.kill(Deno.pid, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("timeout"), 5000);
  });
  equal(await Promise.race([wait.signal, timeout]), "SIGTERM");
  clearTimeout(timer);
  // Disposing twice is harmless; a disposed wait leaves no listener keeping the test alive.
  wait.dispose();
  listenForSignals().dispose();
});
