import { describe, expect, it } from "vitest";
import { concerns, type ChangeKind, type ChangeNotice } from "./changes";

describe("concerns", () => {
  const batch: ChangeNotice[] = [{ kind: "task", id: "t1" }, { kind: "service", id: "web" }];
  it.each<[string, ChangeNotice[] | "all", ChangeKind[], string[] | undefined, boolean]>([
    // a tasks page hears a task change
    ["kind", batch, ["task"], undefined, true],
    // an instances page does not
    ["other kind", batch, ["instance"], undefined, false],
    // one service's page hears its own service
    ["own id", batch, ["service"], ["web"], true],
    // not another's
    ["other id", batch, ["service"], ["api"], false],
    // after a reconnect everything re-fetches
    ["all", "all", ["instance"], ["i-1"], true],
    // an empty batch concerns nobody
    ["empty", [], ["task"], undefined, false],
  ])("%s", (_n, b, kinds, ids, want) => expect(concerns(b, kinds, ids)).toBe(want));
});
