/**
 * The SIP Proxy module: WebSocket <-> UDP/TCP/TLS, stateful (RFC 3261 16), routing state in
 * the messages (ws-src-* Contact parameters, signed flow tokens in Path and Record-Route).
 *
 * @module
 */

export * from "./ports.ts";
export * from "./proxy_core.ts";
export * from "./transaction_bridge.ts";
export * from "./config_binding.ts";
export * from "./flow_token.ts";
export * from "./relay_policy.ts";
export * from "./local_addresses.ts";
export * from "./ws_rewrite.ts";
export * from "./ws_flows.ts";
export * from "./route.ts";
export * from "./own_via.ts";
export * from "./gateway_routes.ts";
export * from "./validation.ts";
export * from "./self_options.ts";
export * from "./overload.ts";
