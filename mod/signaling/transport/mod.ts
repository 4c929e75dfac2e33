export * from "./transport.ts";
export * from "./limits.ts";
export * from "./udp.ts";
export * from "./stream_connection.ts";
export * from "./tcp.ts";
export * from "./tls.ts";
export * from "./ws.ts";
export * from "./transport_layer.ts";
