import { Reasons } from "./reasons.js";
import type { Ranker } from "./rank/ranker.js";
import { buildStack } from "./stack.js";
import { NodeState } from "./state.js";
import type { PlacementFailure, PlacementRequest, PlacementResult, TaskToPlace } from "./types.js";
import { compilePlacement, defaultRunTaskStrategy } from "./validate.js";

/**
 * Decides where each task goes. Pure: the same request (seed included) always gives the same
 * result, and nothing outside the result changes; the caller writes it. Tasks are placed in
 * the order given, each charged to the scheduler's copy of its instance so the next task sees
 * it. Throws InvalidParameterException for strategies or constraints ECS would refuse.
 *
 * No strategy means ECS RunTask's default, random; services pass `defaultServiceStrategy`.
 */
export function placeTasks(req: PlacementRequest): PlacementResult {
  const strategy = req.strategy?.length ? req.strategy : defaultRunTaskStrategy;
  const compiled = compilePlacement(strategy, req.constraints);
  const nodes = req.instances.map((instance, i) => new NodeState(instance, i, req.seed));
  const result: PlacementResult = { placements: [], failures: [], remaining: new Map() };

  if (nodes.length === 0) {
    for (const task of req.tasks) {
      result.failures.push({ taskKey: task.key, reasons: [{ reason: Reasons.noInstances }], counts: { [Reasons.noInstances]: 1 } });
    }
    return result;
  }

  const { pipeline, rankers } = buildStack(compiled, req.seed);
  for (const task of req.tasks) {
    const { feasible, rejected, counts } = pipeline.evaluate(task, nodes);
    const best = pick(task, feasible, nodes, rankers);
    if (best) {
      best.charge(task);
      result.placements.push({ taskKey: task.key, instanceId: best.instance.id });
    } else {
      const failure: PlacementFailure = {
        taskKey: task.key,
        reasons: rejected.map((r) => ({ instanceArn: r.node.instance.arn, reason: r.reason })),
        counts,
      };
      result.failures.push(failure);
    }
  }
  for (const node of nodes) result.remaining.set(node.instance.id, node.remaining);
  return result;
}

/**
 * The best candidate: lowest score at the first stage, ties going to the next stage, then to
 * the seeded shuffle, then to request order (only if two ids hash alike).
 */
function pick(task: TaskToPlace, candidates: NodeState[], all: NodeState[], rankers: Ranker[]): NodeState | undefined {
  if (candidates.length <= 1) return candidates[0];
  const scorers = rankers.map((r) => r.scorer(task, candidates, all));
  let best: NodeState | undefined;
  let bestScores: number[] = [];
  for (const node of candidates) {
    const scores = scorers.map((s) => s(node));
    if (!best || better(scores, node, bestScores, best)) {
      best = node;
      bestScores = scores;
    }
  }
  return best;
}

function better(scores: number[], node: NodeState, bestScores: number[], best: NodeState): boolean {
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] !== bestScores[i]) return scores[i] < bestScores[i];
  }
  if (node.shuffleRank !== best.shuffleRank) return node.shuffleRank < best.shuffleRank;
  return node.index < best.index;
}
