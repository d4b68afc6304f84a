import { hash32 } from "../../scheduler/seed.js";

/**
 * Ids the service planner makes. They are hashes of the round's seed, never `Math.random`, so a
 * plan can be replayed from its snapshot and two plans from one snapshot agree.
 */

/**
 * A deployment id as ECS writes it: `ecs-svc/` and 19 decimal digits, fixed by `seed`. The first
 * digit is never 0, so the number reads the same with or without leading-zero handling.
 */
export function newDeploymentId(seed: string): string {
  let digits = String(1 + (hash32(seed, "deployment", "0") % 9));
  for (let part = 1; digits.length < 19; part++) digits += String(hash32(seed, "deployment", String(part))).padStart(10, "0");
  return `ecs-svc/${digits.slice(0, 19)}`;
}

/** A service event id shaped like ECS's (a UUID), the `index`-th one made from `seed`. */
export function eventId(seed: string, index: number): string {
  const hex = [0, 1, 2, 3].map((w) => hash32(seed, "event", String(index), String(w)).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A task id shaped like `newId`'s (32 hex digits), the `index`-th task a round seeded `seed` starts. */
export function taskId(seed: string, index: number): string {
  return [0, 1, 2, 3].map((w) => hash32(seed, "task", String(index), String(w)).toString(16).padStart(8, "0")).join("");
}
