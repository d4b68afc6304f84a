import { groupOf, type NodeState } from "../state.js";
import type { Ranker } from "./ranker.js";

/**
 * spread by instance: fewest tasks of the task's group on the instance wins. ECS spreads a
 * service's tasks against that service's tasks and standalone tasks against their task group.
 */
export function spreadInstanceRanker(): Ranker {
  return {
    name: "spread(instanceId)",
    scorer: (task) => {
      const group = groupOf(task);
      return (node) => node.tasksInGroup(group);
    },
  };
}

/**
 * spread by attribute (`attribute:ecs.availability-zone`): the candidate whose attribute value
 * holds the fewest tasks of the group, counted over every instance with that value, wins, so
 * values fill evenly. Instances without the attribute form one more value of their own.
 */
export function spreadAttributeRanker(attribute: string): Ranker {
  // Counted over every instance once per group, then kept current as tasks are charged: the
  // same counts as a recount per task, without a pass over all instances for each one.
  const counts = new Map<string, Map<string | undefined, number>>();
  return {
    name: `spread(attribute:${attribute})`,
    scorer: (task, _candidates, all) => {
      const group = groupOf(task);
      let perValue = counts.get(group);
      if (!perValue) {
        perValue = new Map();
        for (const node of all) {
          const value = valueOf(node, attribute);
          perValue.set(value, (perValue.get(value) ?? 0) + node.tasksInGroup(group));
        }
        counts.set(group, perValue);
      }
      const of = perValue;
      return (node) => of.get(valueOf(node, attribute)) ?? 0;
    },
    charged: (task, node) => {
      const perValue = counts.get(groupOf(task));
      if (!perValue) return;
      const value = valueOf(node, attribute);
      perValue.set(value, (perValue.get(value) ?? 0) + 1);
    },
  };
}

function valueOf(node: NodeState, attribute: string): string | undefined {
  return node.attributes.get(attribute);
}
