import { describe, expect, it } from "vitest";
import { hrefOf, parseRoute, type Route } from "./route";

describe("parseRoute and hrefOf", () => {
  it.each<[string, Route]>([
    // the base is the clusters page
    ["/console/", { page: "clusters" }],
    // a cluster's services
    ["/console/clusters/prod/services", { page: "services", cluster: "prod" }],
    // one service
    ["/console/clusters/prod/services/web", { page: "service", cluster: "prod", service: "web" }],
    // tasks with filters in the query
    ["/console/clusters/prod/tasks?family=web&status=STOPPED", { page: "tasks", cluster: "prod", filters: { family: "web", status: "STOPPED" } }],
    // one task
    ["/console/clusters/prod/tasks/abc", { page: "task", cluster: "prod", task: "abc" }],
    // instances
    ["/console/clusters/prod/instances", { page: "instances", cluster: "prod" }],
    // task definitions, a family, a revision
    ["/console/task-definitions", { page: "taskDefinitions" }],
    ["/console/task-definitions/web", { page: "family", family: "web" }],
    ["/console/task-definitions/web/3", { page: "taskDefinition", family: "web", revision: 3 }],
    // a name with a space survives the round trip
    ["/console/clusters/my%20cluster/services", { page: "services", cluster: "my cluster" }],
  ])("%s", (url, want) => {
    const u = new URL(url, "http://x");
    expect(parseRoute(u.pathname, u.search)).toEqual(want);
    expect(hrefOf(want)).toBe(url);
  });

  it.each([
    // an unknown page
    ["/console/nope"],
    // a revision that is not a number
    ["/console/task-definitions/web/latest"],
    // outside the base
    ["/elsewhere"],
  ])("%s is not found", (path) => expect(parseRoute(path).page).toBe("notFound"));

  it("parseRoute: an unknown status filter is dropped", () =>
    expect(parseRoute("/console/clusters/c/tasks", "?status=BOGUS")).toEqual({ page: "tasks", cluster: "c", filters: {} }));
});
