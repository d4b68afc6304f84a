/** The kinds of record the control plane's change stream names. */
export type ChangeKind = "task" | "service" | "instance" | "taskDefinition" | "cluster";

/** One record that changed, as `/berth/v1/events/stream` sends it. */
export interface ChangeNotice {
  kind: ChangeKind;
  id: string;
}

/**
 * Whether a page showing records of `kinds` (only those `ids` names, when given) must
 * re-fetch after a batch; `all` (after the stream reconnected) always does.
 */
export function concerns(batch: readonly ChangeNotice[] | "all", kinds: readonly ChangeKind[], ids?: readonly string[]): boolean {
  if (batch === "all") return true;
  return batch.some((n) => kinds.includes(n.kind) && (!ids || ids.includes(n.id)));
}
