import { describe, expect, it } from "vitest";
import { pageOf } from "./pagination.js";
import { actionFromInput, actionShape, conditionFromInput, conditionShape, type ActionInput, type ConditionInput } from "./shapes.js";

describe("actionFromInput", () => {
  it.each([
    // a forward by TargetGroupArn
    [{ Type: "forward", TargetGroupArn: "a" }, { type: "forward", targetGroups: [{ targetGroupArn: "a", weight: 1 }] }],
    // weighted groups, a missing weight counting 1
    [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: "a", Weight: 9 }, { TargetGroupArn: "b" }] } }, { type: "forward", targetGroups: [{ targetGroupArn: "a", weight: 9 }, { targetGroupArn: "b", weight: 1 }] }],
    // stickiness
    [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: "a" }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 } } }, { type: "forward", targetGroups: [{ targetGroupArn: "a", weight: 1 }], stickinessSeconds: 60 }],
    // a fixed response
    [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }, { type: "fixed-response", statusCode: "404" }],
    // a redirect: ELBv2's placeholders fill what is not given
    [{ Type: "redirect", RedirectConfig: { Path: "/new", StatusCode: "HTTP_301" } }, { type: "redirect", statusCode: "HTTP_301", protocol: "#{protocol}", host: "#{host}", port: "#{port}", path: "/new", query: "#{query}" }],
  ] as [ActionInput, object][])("%o", (input, want) => {
    expect(actionFromInput(input, "Actions[0]")).toEqual(expect.objectContaining(want));
  });

  it.each([
    // a forward naming nothing
    [{ Type: "forward" }, /needs TargetGroupArn or ForwardConfig/],
    // TargetGroupArn and ForwardConfig disagreeing
    [{ Type: "forward", TargetGroupArn: "a", ForwardConfig: { TargetGroups: [{ TargetGroupArn: "b" }] } }, /must name the same single target group/],
    // a fixed response without its config
    [{ Type: "fixed-response" }, /needs FixedResponseConfig/],
    // a redirect code ELBv2 does not have
    [{ Type: "redirect", RedirectConfig: { StatusCode: "HTTP_307" } }, /HTTP_301 or HTTP_302/],
    // an authenticate action
    [{ Type: "authenticate-oidc" }, /'authenticate-oidc' is not supported/],
  ] as [ActionInput, RegExp][])("refuses %o", (input, error) => {
    expect(() => actionFromInput(input, "Actions[0]")).toThrow(error);
  });

  it("answers a single forward with TargetGroupArn and ForwardConfig, as ELBv2 does", () => {
    expect(actionShape({ type: "forward", targetGroups: [{ targetGroupArn: "a", weight: 1 }] }, 1)).toEqual({
      Type: "forward",
      Order: 1,
      TargetGroupArn: "a",
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: "a", Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
    });
  });
});

describe("conditionFromInput", () => {
  it.each([
    // the legacy Values
    [{ Field: "path-pattern", Values: ["/api/*"] }, { field: "path-pattern", values: ["/api/*"] }],
    // the field's config
    [{ Field: "host-header", HostHeaderConfig: { Values: ["a.example.com"] } }, { field: "host-header", values: ["a.example.com"] }],
    [{ Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Env", Values: ["canary"] } }, { field: "http-header", headerName: "X-Env", values: ["canary"] }],
    // a query pair with and without a key
    [{ Field: "query-string", QueryStringConfig: { Values: [{ Key: "v", Value: "2" }, { Value: "x" }] } }, { field: "query-string", pairs: [{ key: "v", value: "2" }, { value: "x" }] }],
  ] as [ConditionInput, object][])("%o", (input, want) => {
    const got = conditionFromInput(input, "Conditions[0]");
    expect(got).toEqual(want);
    // and back: the shape names the same field
    expect(conditionShape(got).Field).toBe(input.Field);
  });

  it.each([
    // regex values
    [{ Field: "path-pattern", PathPatternConfig: { RegexValues: ["^/a$"] } }, /RegexValues are not supported/],
    // a field berth does not match
    [{ Field: "source-ip", Values: ["10.0.0.0/8"] }, /'source-ip' is not supported/],
    // a header condition without its name
    [{ Field: "http-header", HttpHeaderConfig: { Values: ["a"] } }, /needs HttpHeaderConfig.HttpHeaderName/],
  ] as [ConditionInput, RegExp][])("refuses %o", (input, error) => {
    expect(() => conditionFromInput(input, "Conditions[0]")).toThrow(error);
  });
});

describe("pageOf", () => {
  const items = ["a", "b", "c", "d", "e"];
  it("walks every item once, page by page", () => {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const { page, NextMarker } = pageOf(items, (s) => s, { PageSize: 2, Marker: marker });
      seen.push(...page);
      marker = NextMarker;
    } while (marker);
    expect(seen).toEqual(items);
  });
  it.each([
    // PageSize out of range
    [{ PageSize: 0 }, /PageSize 0/],
    [{ PageSize: 401 }, /PageSize 401/],
  ])("refuses %o", (req, error) => {
    expect(() => pageOf(items, (s) => s, req)).toThrow(error);
  });
});
