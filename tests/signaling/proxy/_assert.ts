/**
 * Assertions for the proxy tests (JSR's std/assert is not reachable): thin wrappers over
 * `node:assert/strict` with the std names.
 *
 * @module
 */

import nodeAssert from "node:assert/strict";

export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => Error,
  includes?: string,
): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  nodeAssert.ok(thrown !== undefined, "Expected the function to throw");
  if (errorClass) {
    nodeAssert.ok(thrown instanceof errorClass, `Expected ${errorClass.name}, got ${thrown}`);
  }
  if (includes) nodeAssert.ok(String((thrown as Error).message).includes(includes), String(thrown));
}

export function assertMatch(actual: string, expected: RegExp, message?: string): void {
  nodeAssert.match(actual, expected, message);
}
