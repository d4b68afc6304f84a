import { randomBytes } from "node:crypto";

/** A new ECS-style resource id: 32 lowercase hex characters, as ECS gives tasks and instances. */
export function newId(): string {
  return randomBytes(16).toString("hex");
}

/** True when `s` has the shape of an id made by {@link newId}. */
export function isId(s: string): boolean {
  return /^[0-9a-f]{32}$/.test(s);
}
