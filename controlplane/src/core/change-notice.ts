import { keys } from "../store/index.js";

/** The kinds of record a change notice can name, as the console's pages group them. */
export type ChangeKind = "task" | "service" | "instance" | "taskDefinition" | "cluster";

/** One record that changed: its kind and its id (task id, service name, instance id, `family:revision`). */
export interface ChangeNotice {
  kind: ChangeKind;
  id: string;
}

/**
 * The notice for a written or deleted etcd key of `cluster`, or undefined when the key is none
 * of the watched kinds. Service deployments and revisions are service changes (the service's
 * deployments are what a reader re-fetches); task definitions and clusters themselves belong to
 * no one cluster, so every cluster's feed reports them (a reader of one cluster hears a new one).
 */
export function changeOfKey(cluster: string, key: string): ChangeNotice | undefined {
  const scoped: [string, ChangeKind][] = [
    [keys.tasks(cluster), "task"],
    [keys.services(cluster), "service"],
    [keys.instances(cluster), "instance"],
  ];
  for (const [prefix, kind] of scoped) {
    if (key.startsWith(prefix) && key.length > prefix.length && !key.slice(prefix.length).includes("/")) return { kind, id: key.slice(prefix.length) };
  }
  for (const prefix of [`${keys.serviceDeployments(cluster, "")}`, `${keys.serviceRevisions(cluster, "")}`]) {
    // keys.serviceDeployments(cluster, "") ends in "//"; the service name sits between the cluster and the id.
    const base = prefix.slice(0, -1);
    if (!key.startsWith(base)) continue;
    const [service, id] = key.slice(base.length).split("/");
    if (service && id) return { kind: "service", id: service };
  }
  const clusters = keys.clusters();
  if (key.startsWith(clusters) && !key.slice(clusters.length).includes("/")) return { kind: "cluster", id: key.slice(clusters.length) };
  const defs = keys.taskDefinitions();
  if (key.startsWith(defs)) {
    const rest = key.slice(defs.length);
    const bang = rest.lastIndexOf("!");
    if (bang > 0 && /^\d+$/.test(rest.slice(bang + 1))) return { kind: "taskDefinition", id: `${rest.slice(0, bang)}:${Number(rest.slice(bang + 1))}` };
  }
  return undefined;
}

/**
 * Notices gathered over a short window, oldest first, each record once: a service rolling
 * tens of tasks writes each task several times a second, and a reader needs to hear only
 * that it changed.
 */
export function coalesceChanges(notices: readonly ChangeNotice[]): ChangeNotice[] {
  const seen = new Set<string>();
  const out: ChangeNotice[] = [];
  for (const n of notices) {
    const k = `${n.kind}\u0000${n.id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(n);
  }
  return out;
}
