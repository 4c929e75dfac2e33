export * from "./types.ts";
export * from "./errors.ts";
export * from "./wire.ts";
export * from "./client.ts";
export * from "./cache.ts";
export * from "./lookup.ts";
export * from "./srv_order.ts";
export * from "./resolver.ts";
