import { unitHash } from "../seed.js";
import type { Ranker } from "./ranker.js";

/**
 * random: each candidate gets a score hashed from the seed, the task and the instance, so the
 * same request places the same way and a different seed usually differently. Scores rarely
 * tie, which makes later stages moot, as ECS's random is meant to be the last word.
 */
export function randomRanker(seed: string): Ranker {
  return {
    name: "random",
    scorer: (task) => (node) => unitHash(seed, "random", task.key, node.instance.id),
  };
}
