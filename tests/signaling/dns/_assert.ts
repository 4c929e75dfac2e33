// Small assertions over node:assert (JSR's std/assert is not reachable here).
import { deepStrictEqual, fail } from "node:assert/strict";

/** Deep, strict equality (key order ignored, typed arrays compared by content). */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

function check(
  error: unknown,
  ErrorClass: abstract new (...args: never[]) => Error,
  includes?: string,
): Error {
  if (!(error instanceof ErrorClass)) {
    fail(`Expected a ${ErrorClass.name}, got ${String(error)}`);
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    fail(`Expected the message to include ${JSON.stringify(includes)}: ${error.message}`);
  }
  return error;
}

/** Asserts that `fn` throws an instance of `ErrorClass` whose message includes `includes`. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  ErrorClass: abstract new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return check(error, ErrorClass, includes) as E;
  }
  return fail("Expected the function to throw");
}

/** Asserts that `fn()` rejects with an instance of `ErrorClass` whose message includes `includes`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  ErrorClass: abstract new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return check(error, ErrorClass, includes) as E;
  }
  return fail("Expected the promise to reject");
}
