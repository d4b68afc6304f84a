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
  return {
    name: `spread(attribute:${attribute})`,
    scorer: (task, _candidates, all) => {
      const group = groupOf(task);
      const perValue = new Map<string | undefined, number>();
      for (const node of all) {
        const value = valueOf(node, attribute);
        perValue.set(value, (perValue.get(value) ?? 0) + node.tasksInGroup(group));
      }
      return (node) => perValue.get(valueOf(node, attribute)) ?? 0;
    },
  };
}

function valueOf(node: NodeState, attribute: string): string | undefined {
  return node.attributes.get(attribute);
}
