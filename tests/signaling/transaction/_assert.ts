/** Small assertion helpers over node:assert (JSR's @std/assert is not reachable). */

import nodeAssert from "node:assert/strict";

export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  errorClass: new (...args: any[]) => Error,
  includes?: string,
): Error {
  try {
    fn();
  } catch (error) {
    nodeAssert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error}`);
    if (includes !== undefined) {
      nodeAssert.ok(
        (error as Error).message.includes(includes),
        `message "${(error as Error).message}" does not include "${includes}"`,
      );
    }
    return error as Error;
  }
  throw new nodeAssert.AssertionError({ message: "expected function to throw" });
}
