import { describe, expect, it } from "vitest";
import { ConflictError, ConflictException, InvalidParameterException, ResourceNotFoundException, ValidationException } from "@berth/shared";
import { createModelValidator } from "./model-validate.js";
import { restJsonApi } from "./rest-json.js";
import type { ApiRequest } from "./service.js";
import { toSchedulerError } from "../scheduler/errors.js";
import { schedulerModel } from "../scheduler/generated/model.js";
import { schedulerInputValidators } from "../scheduler/generated/validators.js";

const api = restJsonApi({
  name: "scheduler",
  title: "EventBridge Scheduler",
  signingName: "scheduler",
  model: schedulerModel,
  validate: createModelValidator(schedulerInputValidators, { invalid: (m) => new ValidationException(m) }),
  // One operation answers from its input, one refuses: enough to see the protocol's shapes.
  actions: {
    GetScheduleGroup: async (input: { Name: string }) => ({ Name: input.Name, State: "ACTIVE" }),
    DeleteScheduleGroup: async () => {
      throw new ResourceNotFoundException("Schedule group ops does not exist.");
    },
  },
  toError: toSchedulerError,
});

const req = (method: string, path: string, headers: Record<string, string> = {}, body = ""): ApiRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers,
  body: Buffer.from(body),
  requestId: "req-1",
});
const signedFor = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00` });

describe("restJsonApi", () => {
  it.each([
    // one of its routes, unsigned
    [req("GET", "/schedule-groups/ops"), true],
    // one of its routes, signed for it
    [req("GET", "/schedule-groups/ops", signedFor("scheduler")), true],
    // the same path signed for another service is that service's
    [req("GET", "/schedule-groups/ops", signedFor("lambda")), false],
    // a known path with a method it lacks is still its own (to answer the error)
    [req("PATCH", "/schedules/x"), true],
    // the JSON protocols' route
    [req("POST", "/"), false],
    // someone else's path
    [req("GET", "/berth/v1/logs"), false],
  ])("claims %j: %s", (r, want) => {
    expect(api.claims(r)).toBe(want);
  });

  it("answers with the output members as JSON", async () => {
    const reply = await api.handle(req("GET", "/schedule-groups/ops"));
    expect(reply).toMatchObject({ status: 200, action: "GetScheduleGroup" });
    expect(JSON.parse(reply.body)).toEqual({ Name: "ops", State: "ACTIVE" });
  });

  it.each([
    // the action's own refusal: its status and type, the type in X-Amzn-ErrorType
    [req("DELETE", "/schedule-groups/ops"), 404, "ResourceNotFoundException", /does not exist/],
    // the model's pattern for a group name, checked before the action
    [req("GET", "/schedule-groups/bad%20name"), 400, "ValidationException", /Name: must match/],
    // an operation berth does not implement in this test's table
    [req("GET", "/schedules"), 400, "UnsupportedFeatureException", /ListSchedules is not implemented/],
    // a method the path does not have
    [req("PATCH", "/schedules/x"), 400, "UnknownOperationException", /No EventBridge Scheduler operation is PATCH/],
    // a body that is not JSON
    [req("POST", "/schedule-groups/ops", {}, "{nope"), 400, "ValidationException", /not valid JSON/],
  ])("refuses %j with %i %s", async (r, status, type, message) => {
    const reply = await api.handle(r);
    expect(reply.status).toBe(status);
    expect(reply.headers?.["x-amzn-errortype"]).toBe(type);
    expect(JSON.parse(reply.body).Message).toMatch(message);
  });
});

describe("toSchedulerError", () => {
  it.each([
    // berth's generic invalid parameter is the Scheduler's ValidationException
    [new InvalidParameterException("x"), 400, "ValidationException"],
    [new ResourceNotFoundException("x"), 404, "ResourceNotFoundException"],
    [new ConflictException("x"), 409, "ConflictException"],
    // a lost write race asks the caller to retry
    [new ConflictError("race"), 409, "ConflictException"],
    // anything unexpected hides behind InternalServerException
    [new Error("boom"), 500, "InternalServerException"],
  ])("%s", (err, status, type) => {
    expect(toSchedulerError(err, "r")).toMatchObject({ status, type });
  });
});
