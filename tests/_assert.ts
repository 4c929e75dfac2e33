/**
 * Assertions for every test (JSR's std/assert is not reachable here): thin wrappers over
 * `node:assert/strict` with the std names.
 *
 * @module
 */

import nodeAssert from "node:assert/strict";

/** A class of errors, abstract or not (`SyntaxError`, `DnsError`, ...). */
export type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E;

/** Asserts that `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Deep, strict equality (key order ignored; Maps, Sets, typed arrays compared by content). */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Deep, strict inequality. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that `actual` matches `expected`. */
export function assertMatch(actual: string, expected: RegExp, message?: string): void {
  nodeAssert.match(actual, expected, message);
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    nodeAssert.fail(
      message ??
        `Expected ${JSON.stringify(text.slice(0, 500))} to include ${JSON.stringify(part)}`,
    );
  }
}

function check<E extends Error>(error: unknown, errorClass: ErrorClass<E>, includes?: string): E {
  if (!(error instanceof errorClass)) {
    nodeAssert.fail(`Expected a ${errorClass.name}, got ${String(error)}`);
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    nodeAssert.fail(
      `Expected the message to include ${JSON.stringify(includes)}: ${error.message}`,
    );
  }
  return error;
}

/**
 * Asserts that `fn` throws an instance of `errorClass` (any Error when omitted) whose message
 * includes `includes`; returns the error.
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  errorClass?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return check(error, errorClass ?? (Error as unknown as ErrorClass<E>), includes);
  }
  return nodeAssert.fail("Expected the function to throw");
}

/** Asserts that `fn` throws an Error whose message includes `includes`; returns the error. */
export function assertThrowsMessage(fn: () => unknown, includes: string): Error {
  return assertThrows(fn, Error, includes);
}

/** Asserts that `fn()` rejects with an Error whose message includes `includes`. */
export function assertRejects(fn: () => Promise<unknown>, includes?: string): Promise<Error>;
/** Asserts that `fn()` rejects with an instance of `errorClass` whose message includes `includes`. */
export function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  errorClass: ErrorClass<E>,
  includes?: string,
): Promise<E>;
export async function assertRejects(
  fn: () => Promise<unknown>,
  classOrIncludes?: ErrorClass | string,
  includes?: string,
): Promise<Error> {
  const errorClass = typeof classOrIncludes === "function" ? classOrIncludes : Error;
  const part = typeof classOrIncludes === "string" ? classOrIncludes : includes;
  try {
    await fn();
  } catch (error) {
    return check(error, errorClass, part);
  }
  return nodeAssert.fail("Expected the promise to reject");
}
