import { Ec2InvalidParameterCombination, Ec2InvalidPaginationToken } from "@berth/shared";

/** EC2's paging members of a Describe* request. */
export interface Ec2PageRequest {
  MaxResults?: number;
  NextToken?: string;
}

/**
 * One page of `items` in id order, as EC2's Describe* calls page: all of them when MaxResults is
 * absent (the model bounds it to 5–1000), else MaxResults after the token's id, with a NextToken
 * while more follow. The token names the last id given, so a deletion between pages skips nothing.
 * MaxResults together with explicit ids is InvalidParameterCombination, as EC2 answers. Pure.
 */
export function pageOf<T>(items: readonly T[], idOf: (t: T) => string, req: Ec2PageRequest, explicitIds: readonly string[] | undefined): { page: T[]; NextToken?: string } {
  if (req.MaxResults !== undefined && (explicitIds ?? []).length > 0) {
    throw new Ec2InvalidParameterCombination("The parameter MaxResults cannot be used with the parameter naming resource IDs");
  }
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const after = req.NextToken === undefined ? undefined : decodeToken(req.NextToken);
  const rest = after === undefined ? sorted : sorted.filter((t) => idOf(t) > after);
  if (req.MaxResults === undefined) return { page: rest };
  const page = rest.slice(0, req.MaxResults);
  return rest.length > page.length ? { page, NextToken: encodeToken(idOf(page[page.length - 1])) } : { page };
}

const encodeToken = (id: string) => Buffer.from(JSON.stringify({ after: id })).toString("base64url");

function decodeToken(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString()) as { after?: unknown };
    if (typeof v.after === "string") return v.after;
  } catch {
    // fall through to the error below
  }
  throw new Ec2InvalidPaginationToken(`The pagination token '${token}' is not valid.`);
}
