/**
 * Index access the code's own logic guarantees (an index inside the array's bounds, a key just
 * set, a regular expression's group that always takes part), for `noUncheckedIndexedAccess`:
 * instead of a `!` that would let a broken guarantee pass on as `undefined`, the value is checked
 * and a missing one throws `MissingValueError`, naming what was missing. A value that can be
 * missing for real (input, a lookup of something that may not exist) is handled where it is read,
 * not with these.
 */
export class MissingValueError extends Error {
  override readonly name = 'MissingValueError';
}

/** `value`, which the caller's logic guarantees is there; `what` names it in the error if not. */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MissingValueError(`${what} is missing`);
  return value;
}

/** `items[index]`, an index the caller's logic keeps inside the bounds. */
export function atIndex<T>(items: ArrayLike<T>, index: number, what = 'item'): T {
  const value = items[index];
  if (value === undefined) throw new MissingValueError(`${what} ${index} is missing (of ${items.length})`);
  return value;
}
