import { Reasons } from "./reasons.js";
import type { Ranker } from "./rank/ranker.js";
import { buildStack } from "./stack.js";
import { NodeState } from "./state.js";
import { sampleFeasible, sampleSize } from "./sample.js";
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
  // At large N only a sample of the feasible instances is ranked (see sample.ts), walked in the
  // seeded shuffle order, ties going to the one met first. Spread and random start the next
  // walk right after the instance chosen, so tasks go round the ring and spread stays as even
  // as a full scan makes it; binpack always starts at the same place, so it keeps filling the
  // same instances until they are full, as binpack means.
  const want = sampleSize(nodes.length);
  const order = want < nodes.length ? [...nodes].sort((a, b) => a.shuffleRank - b.shuffleRank || a.index - b.index) : undefined;
  const position = new Map(order?.map((n, i) => [n, i]));
  const rotate = compiled.strategies[0]?.type !== "binpack";
  let cursor = 0;
  for (const task of req.tasks) {
    let candidates: NodeState[] | undefined;
    if (order) {
      const sample = sampleFeasible(order, cursor, want, pipeline.checker(task, nodes.length));
      if (sample.candidates.length > 0) candidates = sample.candidates;
    }
    // Unsampled, or nothing fits: every instance is judged, so failures name each one's reason.
    const judged = candidates ? undefined : pipeline.evaluate(task, nodes);
    const best = candidates ? pickInOrder(task, candidates, nodes, rankers) : pick(task, judged!.feasible, nodes, rankers);
    if (best && order && rotate) cursor = (position.get(best)! + 1) % order.length;
    if (best) {
      best.charge(task);
      for (const r of rankers) r.charged?.(task, best);
      result.placements.push({ taskKey: task.key, instanceId: best.instance.id });
    } else {
      const { rejected, counts } = judged!;
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

/** The best of a sampled walk: lowest scores stage by stage, ties to the one walked first. */
function pickInOrder(task: TaskToPlace, candidates: NodeState[], all: NodeState[], rankers: Ranker[]): NodeState {
  const scorers = rankers.map((r) => r.scorer(task, candidates, all));
  // Stage by stage: keep only the candidates tied at the lowest score, in walk order.
  let tied = candidates;
  for (const score of scorers) {
    if (tied.length === 1) break;
    let min = Infinity;
    let next: NodeState[] = [];
    for (const n of tied) {
      const s = score(n);
      if (s < min) {
        min = s;
        next = [n];
      } else if (s === min) next.push(n);
    }
    tied = next;
  }
  return tied[0];
}

function better(scores: number[], node: NodeState, bestScores: number[], best: NodeState): boolean {
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] !== bestScores[i]) return scores[i] < bestScores[i];
  }
  if (node.shuffleRank !== best.shuffleRank) return node.shuffleRank < best.shuffleRank;
  return node.index < best.index;
}
