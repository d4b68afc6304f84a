import { Elbv2ValidationError } from "@berth/shared";

/** ELBv2's paging members. */
export interface Elbv2PageRequest {
  Marker?: string;
  PageSize?: number;
}

/**
 * One page of `items` (already in their stable order) after `Marker`, the marker being the key of
 * the last item of the page before (base64url, so it is opaque as ELBv2's). PageSize 1–400. Pure.
 */
export function pageOf<T>(items: T[], keyOf: (t: T) => string, req: Elbv2PageRequest): { page: T[]; NextMarker?: string } {
  const size = req.PageSize ?? 400;
  if (!Number.isInteger(size) || size < 1 || size > 400) throw new Elbv2ValidationError(`PageSize ${size} must be from 1 to 400`);
  let start = 0;
  if (req.Marker !== undefined) {
    const after = Buffer.from(req.Marker, "base64url").toString("utf8");
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return { page, NextMarker: more ? Buffer.from(keyOf(page[page.length - 1])).toString("base64url") : undefined };
}
