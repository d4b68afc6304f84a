import { InvalidParameterException } from "../errors.js";

/** ECS `dependsOn` conditions, in the order a dependency becomes satisfiable. */
export type DependencyCondition = "START" | "COMPLETE" | "SUCCESS" | "HEALTHY";

/** The part of a container definition the dependency graph reads. */
export interface DependencyNode {
  name?: string;
  dependsOn?: { containerName?: string; condition?: string }[];
}

/** One edge of the graph: `container` waits for `dependsOn` to reach `condition`. */
export interface DependencyEdge {
  container: string;
  dependsOn: string;
  condition: DependencyCondition;
}

/** Every `dependsOn` entry as an edge, in declaration order; entries naming nobody are kept. */
export function dependencyEdges(containers: readonly DependencyNode[]): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  for (const c of containers) {
    for (const d of c.dependsOn ?? []) {
      edges.push({
        container: c.name ?? "",
        dependsOn: d.containerName ?? "",
        condition: (d.condition ?? "START") as DependencyCondition,
      });
    }
  }
  return edges;
}

/**
 * A dependency cycle as the names along it, first name repeated at the end
 * (`["a", "b", "a"]`), or undefined when there is none. A self-dependency is a cycle of one.
 * Dependencies on names that are not containers are ignored here (validation reports them).
 */
export function findDependencyCycle(containers: readonly DependencyNode[]): string[] | undefined {
  const deps = adjacency(containers);
  // 0 = unvisited, 1 = on the current path, 2 = done; the path stack gives the cycle's names.
  const state = new Map<string, 0 | 1 | 2>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, 1);
    path.push(name);
    for (const next of deps.get(name) ?? []) {
      const s = state.get(next) ?? 0;
      if (s === 1) return [...path.slice(path.indexOf(next)), next];
      if (s === 0) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(name, 2);
    return undefined;
  };
  for (const name of deps.keys()) {
    if ((state.get(name) ?? 0) === 0) {
      const found = visit(name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Container names in an order where each comes after everything it depends on: the order to
 * start them. Among containers free to go, declaration order is kept, so the answer is stable.
 * Throws InvalidParameterException on a cycle or a dependency on an unknown container.
 */
export function dependencyOrder(containers: readonly DependencyNode[]): string[] {
  const deps = adjacency(containers);
  for (const [name, targets] of deps) {
    for (const t of targets) {
      if (!deps.has(t)) throw new InvalidParameterException(`dependsOn: container '${name}' depends on unknown container '${t}'`);
    }
  }
  const cycle = findDependencyCycle(containers);
  if (cycle) throw new InvalidParameterException(`dependsOn: dependency cycle ${cycle.join(" -> ")}`);

  const order: string[] = [];
  const placed = new Set<string>();
  // Quadratic in the container count, which ECS caps at 10; clarity beats a heap here.
  while (order.length < deps.size) {
    const next = [...deps].find(([name, targets]) => !placed.has(name) && [...targets].every((t) => placed.has(t)));
    // unreachable after the checks above; guards the loop against a future edit
    if (!next) throw new InvalidParameterException("dependsOn: containers cannot be ordered");
    order.push(next[0]);
    placed.add(next[0]);
  }
  return order;
}

/**
 * The order to stop containers in: dependents before what they depend on (the reverse of
 * `dependencyOrder`), as the ECS agent shuts a task down.
 */
export function shutdownOrder(containers: readonly DependencyNode[]): string[] {
  return dependencyOrder(containers).reverse();
}

/** Name -> names it depends on, in declaration order. */
function adjacency(containers: readonly DependencyNode[]): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const c of containers) {
    const name = c.name ?? "";
    const set = deps.get(name) ?? new Set<string>();
    for (const d of c.dependsOn ?? []) set.add(d.containerName ?? "");
    deps.set(name, set);
  }
  return deps;
}
