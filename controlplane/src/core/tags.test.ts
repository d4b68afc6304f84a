import { describe, expect, it } from "vitest";
import { InvalidParameterException, ResourceNotFoundException, type Tag } from "@berth/shared";
import { launchTags, parseTaggableArn, type LaunchTagSources, type TaggableRef } from "./tags.js";

const arn = (resource: string) => `arn:aws:ecs:us-east-1:000000000000:${resource}`;
const tag = (key: string, value = "v"): Tag => ({ key, value });
const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => tag(`${prefix}${i}`));

describe("parseTaggableArn: accepted", () => {
  it.each<[string, string, TaggableRef]>([
    // a cluster
    ["cluster", arn("cluster/prod"), { kind: "cluster", cluster: "prod" }],
    // a task definition revision
    ["task definition", arn("task-definition/web:12"), { kind: "task-definition", family: "web", revision: 12 }],
    // a service, long format
    ["service", arn("service/prod/web"), { kind: "service", cluster: "prod", name: "web" }],
    // a task, long format
    ["task", arn("task/prod/0123abcd"), { kind: "task", cluster: "prod", id: "0123abcd" }],
    // a container instance, long format
    ["container instance", arn("container-instance/prod/abc-1"), { kind: "container-instance", cluster: "prod", id: "abc-1" }],
    // another partition's ARN reads the same
    ["partition", "arn:aws-cn:ecs:cn-north-1:1:cluster/c", { kind: "cluster", cluster: "c" }],
  ])("%s", (_name, input, want) => {
    expect(parseTaggableArn(input)).toEqual(want);
  });
});

describe("parseTaggableArn: refused", () => {
  it.each<[string, string, typeof InvalidParameterException | typeof ResourceNotFoundException, RegExp]>([
    // a bare name is not an ARN
    ["name", "prod", InvalidParameterException, /^resourceArn: 'prod' is not an ECS resource ARN$/],
    // another service's ARN
    ["not ECS", "arn:aws:ec2:us-east-1:1:instance/i-1", InvalidParameterException, /is not an ECS resource ARN/],
    // the old short service ARN ECS will not tag
    ["short service", arn("service/web"), InvalidParameterException, /Long arn format must be used for tagging operations/],
    // the old short task ARN
    ["short task", arn("task/0123abcd"), InvalidParameterException, /Long arn format must be used for tagging operations/],
    // the old short container instance ARN
    ["short instance", arn("container-instance/abc"), InvalidParameterException, /Long arn format must be used for tagging operations/],
    // a task definition without its revision
    ["no revision", arn("task-definition/web"), InvalidParameterException, /needs its revision/],
    // a container has no tags
    ["container", arn("container/prod/t1/web"), InvalidParameterException, /names a container, which cannot be tagged/],
    // berth has no capacity providers
    ["capacity provider", arn("capacity-provider/cp"), ResourceNotFoundException, /berth has no capacity providers/],
    // a cluster ARN with a path
    ["cluster path", arn("cluster/a/b"), InvalidParameterException, /is not a valid cluster ARN/],
    // characters no id has
    ["bad id", arn("task/prod/a.b"), InvalidParameterException, /is not a valid task ARN/],
  ])("%s", (_name, input, type, message) => {
    expect(() => parseTaggableArn(input)).toThrow(type);
    expect(() => parseTaggableArn(input)).toThrow(message);
  });
});

describe("launchTags", () => {
  it.each<[string, LaunchTagSources, Tag[]]>([
    // nothing asked for, nothing given
    ["none", {}, []],
    // the request's tags alone
    ["request only", { requestTags: [tag("a", "1")] }, [tag("a", "1")]],
    // the task definition's tags are not propagated unless asked
    ["no propagation", { requestTags: [tag("a")], taskDefinitionTags: [tag("td")] }, [tag("a")]],
    // NONE propagates nothing either
    ["NONE", { propagateTags: "NONE", taskDefinitionTags: [tag("td")] }, []],
    // TASK_DEFINITION: the definition's tags, then the request's
    ["task definition", { propagateTags: "TASK_DEFINITION", taskDefinitionTags: [tag("td", "1")], requestTags: [tag("r", "2")] }, [tag("td", "1"), tag("r", "2")]],
    // a key in both: the request's value wins, in the definition's place
    ["request wins", { propagateTags: "TASK_DEFINITION", taskDefinitionTags: [tag("team", "td"), tag("x")], requestTags: [tag("team", "run")] }, [tag("team", "run"), tag("x")]],
    // SERVICE: the service's tags, not the definition's
    ["service", { propagateTags: "SERVICE", serviceTags: [tag("svc")], taskDefinitionTags: [tag("td")] }, [tag("svc")]],
    // managed tags of a standalone task: the cluster only
    ["managed standalone", { managed: { cluster: "prod" } }, [tag("aws:ecs:clusterName", "prod")]],
    // managed tags of a service's task, after the propagated ones
    [
      "managed service",
      { propagateTags: "SERVICE", serviceTags: [tag("svc")], managed: { cluster: "prod", service: "web" } },
      [tag("svc"), tag("aws:ecs:clusterName", "prod"), tag("aws:ecs:serviceName", "web")],
    ],
    // 25 propagated and 25 of its own fill the quota exactly; managed tags do not count
    ["fifty", { propagateTags: "TASK_DEFINITION", taskDefinitionTags: many(25, "td"), requestTags: many(25, "r"), managed: { cluster: "c" } }, [...many(25, "td"), ...many(25, "r"), tag("aws:ecs:clusterName", "c")]],
    // 40 propagated (k0-k39) + 20 of its own (k30-k49), 10 keys shared: 50 after the merge
    ["overlap fits", { propagateTags: "TASK_DEFINITION", taskDefinitionTags: many(40, "k"), requestTags: many(50, "k").slice(30) }, many(50, "k")],
  ])("%s", (_name, src, want) => {
    expect(launchTags(src)).toEqual(want);
  });

  it("refuses more than 50 user tags after propagation, naming where they came from", () => {
    const src: LaunchTagSources = { propagateTags: "TASK_DEFINITION", taskDefinitionTags: many(30, "td"), requestTags: many(21, "r") };
    expect(() => launchTags(src)).toThrow(InvalidParameterException);
    expect(() => launchTags(src)).toThrow("tags: the task would carry 51 tags (its own plus those propagated from the task definition); at most 50 per resource");
  });
});
