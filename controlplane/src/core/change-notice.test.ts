import { describe, expect, it } from "vitest";
import { keys } from "../store/index.js";
import { changeOfKey, coalesceChanges, type ChangeNotice } from "./change-notice.js";

describe("changeOfKey", () => {
  it.each<[string, ChangeNotice | undefined]>([
    // a task of the cluster
    [keys.task("prod", "abc123"), { kind: "task", id: "abc123" }],
    // a service of the cluster
    [keys.service("prod", "web"), { kind: "service", id: "web" }],
    // a container instance of the cluster
    [keys.instance("prod", "i-1"), { kind: "instance", id: "i-1" }],
    // a deployment record is a change of its service
    [keys.serviceDeployment("prod", "web", "d-1"), { kind: "service", id: "web" }],
    // a service revision too
    [keys.serviceRevision("prod", "web", "r-1"), { kind: "service", id: "web" }],
    // a task definition revision, as family:revision
    [keys.taskDefinition("app", 12), { kind: "taskDefinition", id: "app:12" }],
    // a cluster record, any cluster's: a new cluster reaches every reader
    [keys.cluster("dev"), { kind: "cluster", id: "dev" }],
    // another cluster's task is not this feed's
    [keys.task("dev", "abc123"), undefined],
    // a cluster whose name starts like this one's is another cluster
    [keys.task("prod2", "abc123"), undefined],
    // a session key is none of the watched kinds
    [keys.session("prod", "i-1"), undefined],
  ])("%s", (key, want) => expect(changeOfKey("prod", key)).toEqual(want));
});

describe("coalesceChanges", () => {
  it.each<[string, ChangeNotice[], ChangeNotice[]]>([
    // nothing stays nothing
    ["empty", [], []],
    // repeats of one record become one, in first-heard order
    [
      "repeats",
      [{ kind: "task", id: "a" }, { kind: "service", id: "web" }, { kind: "task", id: "a" }],
      [{ kind: "task", id: "a" }, { kind: "service", id: "web" }],
    ],
    // the same id of two kinds is two records
    ["kinds apart", [{ kind: "task", id: "x" }, { kind: "instance", id: "x" }], [{ kind: "task", id: "x" }, { kind: "instance", id: "x" }]],
  ])("%s", (_name, input, want) => expect(coalesceChanges(input)).toEqual(want));
});
