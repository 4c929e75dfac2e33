// Small assertions over node:assert (JSR's std/assert is not reachable here).
import { deepStrictEqual, fail, ok } from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Asserts that `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  ok(value, message);
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    fail(
      message ??
        `Expected ${JSON.stringify(text.slice(0, 500))} to include ${JSON.stringify(part)}`,
    );
  }
}

/** Asserts that `fn()` rejects with an Error whose message includes `includes`. */
export async function assertRejects(fn: () => Promise<unknown>, includes?: string): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof Error)) fail(`Expected an Error, got ${String(error)}`);
    if (includes !== undefined && !error.message.includes(includes)) {
      fail(`Expected the message to include ${JSON.stringify(includes)}: ${error.message}`);
    }
    return error;
  }
  return fail("Expected the promise to reject");
}

/** Asserts that `fn` throws an Error whose message includes `includes`. */
export function assertThrowsMessage(fn: () => unknown, includes: string): Error {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof Error)) fail(`Expected an Error, got ${String(error)}`);
    if (!error.message.includes(includes)) {
      fail(`Expected the message to include ${JSON.stringify(includes)}: ${error.message}`);
    }
    return error;
  }
  return fail("Expected the function to throw");
}
