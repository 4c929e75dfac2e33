/** Minimal assertions for these tests (JSR std/assert is not reachable). */
import nodeAssert from "node:assert";

/** Throws when `cond` is falsy. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Deep strict equality (Maps, Sets, typed arrays included). */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

/** Deep strict inequality. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, msg);
}

/** Runs `fn`, expects it to throw an instance of `type`; returns the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof type)) throw new Error(`expected ${type.name}, got ${e}`);
    if (includes !== undefined && !e.message.includes(includes)) {
      throw new Error(`expected message with "${includes}", got "${e.message}"`);
    }
    return e;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
