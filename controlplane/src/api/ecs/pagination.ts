import { InvalidParameterException } from "@berth/shared";
import type { PageRequest } from "../../core/index.js";

/**
 * The page a List* request asks for: its nextToken decoded to the key to continue after, and
 * maxResults (1 to `limit`, `defaultMax` when absent).
 */
export function pageRequest(req: { nextToken?: string; maxResults?: number }, defaultMax = 100, limit = 100): PageRequest {
  const want = req.maxResults ?? defaultMax;
  if (!Number.isInteger(want) || want < 1 || want > limit) throw new InvalidParameterException(`maxResults: must be between 1 and ${limit}`);
  return { want, after: req.nextToken ? decodeToken(req.nextToken) : undefined };
}

/** The nextToken that continues after a page's `next` (none at the end). */
export function nextTokenOf(next: string | undefined): string | undefined {
  return next === undefined ? undefined : encodeToken(next);
}

/** One page of `items` (already in a stable order) after the token's position. */
export function paginate<T>(items: T[], keyOf: (t: T) => string, req: { nextToken?: string; maxResults?: number }, defaultMax = 100): { page: T[]; nextToken?: string } {
  const max = req.maxResults ?? defaultMax;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new InvalidParameterException("maxResults: must be between 1 and 100");
  let start = 0;
  if (req.nextToken) {
    const after = decodeToken(req.nextToken);
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return { page, nextToken: more ? encodeToken(keyOf(page[page.length - 1])) : undefined };
}

const encodeToken = (key: string) => Buffer.from(JSON.stringify({ after: key })).toString("base64url");

function decodeToken(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString()) as { after?: unknown };
    if (typeof v.after === "string") return v.after;
  } catch {
    // fall through to the error below
  }
  throw new InvalidParameterException("nextToken: the token is not one this API handed out");
}
