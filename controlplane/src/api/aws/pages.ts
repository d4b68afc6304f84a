/**
 * Offset pages for the AWS list calls whose berth answer is an in-memory list (schedules,
 * groups, rules, targets): NextToken is the offset of the next item, opaque to clients.
 */

/** One page of `items` from `token`, at most `limit` (default `max`); `invalid` builds the API's error for a bad token. */
export function offsetPage<T>(items: readonly T[], limit: number | undefined, token: string | undefined, invalid: (m: string) => Error, max = 100): { page: T[]; nextToken?: string } {
  const from = token === undefined ? 0 : Number(/^o(\d{1,9})$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(from)) throw invalid("NextToken: the token is not one this endpoint issued");
  const n = Math.min(limit ?? max, max);
  const page = items.slice(from, from + n);
  return from + n < items.length ? { page, nextToken: `o${from + n}` } : { page };
}
