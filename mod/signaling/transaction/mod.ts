/**
 * SIP transactions (RFC 3261 17, RFC 6026): pure state machines, timers and the layer that
 * runs them.
 *
 * @module
 */

export * from "./timers.ts";
export * from "./machine.ts";
export * from "./invite_client.ts";
export * from "./non_invite_client.ts";
export * from "./invite_server.ts";
export * from "./non_invite_server.ts";
export * from "./clock.ts";
export * from "./timer_wheel.ts";
export * from "./cancel.ts";
export * from "./ack.ts";
export * from "./transaction_key.ts";
export * from "./stats.ts";
export * from "./transaction_user.ts";
export * from "./client_transaction.ts";
export * from "./server_transaction.ts";
export * from "./transaction_layer.ts";
export * from "./flow_transport.ts";
