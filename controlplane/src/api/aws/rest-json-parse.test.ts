import { describe, expect, it } from "vitest";
import { schedulerModel } from "../scheduler/generated/model.js";
import type { AwsModel } from "./model.js";
import { compileRoutes, matchRoute, restInput, restOutput } from "./rest-json-parse.js";

const routes = compileRoutes(schedulerModel);
const q = (s = "") => new URLSearchParams(s);

describe("rest-json routes from the Scheduler model", () => {
  it.each([
    // a label in the path
    ["POST", "/schedules/nightly", "", "CreateSchedule", { Name: "nightly" }],
    // the same path, another method
    ["GET", "/schedules/nightly", "", "GetSchedule", { Name: "nightly" }],
    ["PUT", "/schedules/nightly", "", "UpdateSchedule", { Name: "nightly" }],
    ["DELETE", "/schedules/nightly", "", "DeleteSchedule", { Name: "nightly" }],
    // the collection, no label
    ["GET", "/schedules", "", "ListSchedules", {}],
    ["GET", "/schedule-groups", "", "ListScheduleGroups", {}],
    // a percent-encoded ARN in one segment is decoded
    ["GET", "/tags/arn%3Aaws%3Ascheduler%3Aus-east-1%3A000000000000%3Aschedule-group%2Fops", "", "ListTagsForResource", { ResourceArn: "arn:aws:scheduler:us-east-1:000000000000:schedule-group/ops" }],
  ])("%s %s", (method, path, query, operation, labels) => {
    expect(matchRoute(routes, method, path, q(query)).match).toEqual({ operation, labels });
  });

  it.each([
    // a known path with a method none of its operations has
    ["PATCH", "/schedules/nightly", { pathKnown: true }],
    // a path that is not the API's
    ["GET", "/functions/x", { pathKnown: false }],
    // a label may not span segments
    ["GET", "/schedules/a/b", { pathKnown: false }],
  ])("%s %s does not match", (method, path, want) => {
    expect(matchRoute(routes, method, path, q())).toEqual(want);
  });
});

describe("restInput / restOutput", () => {
  it.each([
    // uri label + JSON body members
    ["CreateSchedule", "POST", "/schedules/s1", "", '{"ScheduleExpression":"rate(5 minutes)"}', { Name: "s1", ScheduleExpression: "rate(5 minutes)" }],
    // query members by their locationName, typed from the model (MaxResults is an integer)
    ["ListSchedules", "GET", "/schedules", "ScheduleGroup=ops&MaxResults=5&State=ENABLED", "", { GroupName: "ops", MaxResults: 5, State: "ENABLED" }],
    // a list in the query is every repeat of its name
    ["UntagResource", "DELETE", "/tags/arn%3Ax", "TagKeys=a&TagKeys=b", "", { ResourceArn: "arn:x", TagKeys: ["a", "b"] }],
    // a query member with a lower-case wire name
    ["DeleteSchedule", "DELETE", "/schedules/s1", "groupName=ops&clientToken=t", "", { Name: "s1", GroupName: "ops", ClientToken: "t" }],
    // a non-number stays a string for the validator to refuse with the field's name
    ["ListSchedules", "GET", "/schedules", "MaxResults=lots", "", { MaxResults: "lots" }],
  ])("%s %s %s?%s", (_op, method, path, query, body, want) => {
    const { match } = matchRoute(routes, method, path, q(query));
    expect(restInput(schedulerModel, match!, q(query), {}, Buffer.from(body))).toEqual(want);
  });

  it("reads header members and writes header outputs (a model with both)", () => {
    const model: AwsModel = {
      metadata: { apiVersion: "1", protocol: "rest-json", serviceId: "T" },
      operations: { Op: { input: "In", output: "Out", http: { method: "POST", requestUri: "/things/{Id+}?x-id=Op", responseCode: 201 } } },
      shapes: {
        In: { type: "structure", members: { Id: { shape: "S", location: "uri", locationName: "Id" }, Etag: { shape: "S", location: "header", locationName: "X-Etag" }, Size: { shape: "I", location: "header", locationName: "X-Size" } } },
        Out: { type: "structure", members: { Version: { shape: "S", location: "header", locationName: "X-Version" }, Body: { shape: "S" } } },
        S: { type: "string" },
        I: { type: "integer" },
      },
    };
    const r = compileRoutes(model);
    // the greedy label takes slashes; the fixed query parameter must be there
    expect(matchRoute(r, "POST", "/things/a/b", q()).match).toBeUndefined();
    const { match } = matchRoute(r, "POST", "/things/a/b", q("x-id=Op"));
    expect(restInput(model, match!, q("x-id=Op"), { "x-etag": "e1", "x-size": "12" }, Buffer.alloc(0))).toEqual({ Id: "a/b", Etag: "e1", Size: 12 });
    expect(restOutput(model, "Op", { Version: "v2", Body: "hi" })).toEqual({ status: 201, headers: { "x-version": "v2" }, body: '{"Body":"hi"}' });
  });
});
