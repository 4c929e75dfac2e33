/**
 * webrtc2sip entry point: `deno task start [--config PATH] [--check-config] [--version]`.
 * Parses the command line, loads the configuration (./config.xml when present, else the
 * embedded default), sets up logging, starts the gateway and stops it on SIGINT/SIGTERM.
 * @module
 */

import type { Config } from "./mod/config/config.ts";
import { type Gateway, run } from "./mod/cli.ts";
import type { Logger } from "./mod/log.ts";

// mod/gateway.ts is imported on start only, so that --help, --version and --check-config do
// not load the whole gateway (signaling, media workers).
async function startGateway(config: Config, logger: Logger): Promise<Gateway> {
  const gateway = await import("./mod/gateway.ts");
  return await gateway.startGateway(config, logger);
}

if (import.meta.main) {
  Deno.exit(await run(Deno.args, { startGateway }));
}
