/**
 * A copy of `text` that does not point into the string it was sliced from (V8 keeps a slice of
 * 13 chars or more as a view that holds its whole parent alive): the concatenation is
 * flattened into a new string by the slice. Completed transactions keep such copies instead of
 * slices of the received message's text.
 *
 * @module
 */

/** `text` as a string of its own. */
export function flatCopy(text: string): string {
  return (" " + text).slice(1);
}
