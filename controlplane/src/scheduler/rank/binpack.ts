import type { Ranker } from "./ranker.js";

/**
 * binpack on cpu or memory: the instance with the least of that resource left wins, so tasks
 * fill one instance before the next and whole instances stay free (ECS: "leave the least amount
 * of unused CPU or memory").
 */
export function binpackRanker(field: "cpu" | "memory"): Ranker {
  return {
    name: `binpack(${field})`,
    scorer: () => (node) => node.remaining[field],
  };
}
