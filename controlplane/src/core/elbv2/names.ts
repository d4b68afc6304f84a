import { Elbv2ValidationError } from "@berth/shared";

const namePattern = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/**
 * A load balancer's or target group's name as ELBv2 allows it: 1–32 letters, digits and hyphens,
 * not starting or ending with a hyphen; a load balancer's may not start with `internal-`. Pure.
 */
export function checkElbv2Name(name: string, what: "load balancer" | "target group"): void {
  if (!namePattern.test(name)) {
    throw new Elbv2ValidationError(
      `The ${what} name '${name}' must have at most 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
    );
  }
  if (what === "load balancer" && name.startsWith("internal-")) throw new Elbv2ValidationError(`The load balancer name '${name}' cannot start with 'internal-'`);
}
