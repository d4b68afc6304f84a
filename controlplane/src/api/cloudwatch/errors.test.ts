import { readFileSync } from "node:fs";
import { CloudWatchInvalidParameterValue, CloudWatchResourceNotFound, ConflictError, ExpiredTokenException, InvalidSignatureException, SerializationException, UnknownOperationException } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { cloudwatchStatuses, toCloudWatchError } from "./errors.js";

// The vendored model, read once: the table must agree with its exception shapes.
const model = JSON.parse(readFileSync(new URL("../../../aws-models/cloudwatch/service-2.json", import.meta.url), "utf8")) as {
  shapes: Record<string, { exception?: boolean; error?: { code: string; httpStatusCode: number } }>;
};
const modelStatuses = new Map(Object.values(model.shapes).filter((s) => s.exception && s.error).map((s) => [s.error!.code, s.error!.httpStatusCode]));

describe("cloudwatchStatuses", () => {
  it.each(Object.entries(cloudwatchStatuses).filter(([code]) => code !== "ValidationError"))("%s has the model's status", (code, status) => {
    expect(modelStatuses.get(code)).toBe(status);
  });
});

describe("toCloudWatchError", () => {
  it.each([
    // a CloudWatch error keeps its code and message with the model's status
    [new CloudWatchResourceNotFound("The following alarms were not found: [x]"), { status: 404, code: "ResourceNotFound", message: "The following alarms were not found: [x]", type: "Sender" }],
    // a refused value
    [new CloudWatchInvalidParameterValue("Namespace: no"), { status: 400, code: "InvalidParameterValue", message: "Namespace: no", type: "Sender" }],
    // a bad signature in the Query protocol's words
    [new InvalidSignatureException("bad"), { status: 403, code: "SignatureDoesNotMatch", message: "bad", type: "Sender" }],
    // an expired session token is the common 403 ExpiredToken
    [new ExpiredTokenException("The security token included in the request is expired"), { status: 403, code: "ExpiredToken", message: "The security token included in the request is expired", type: "Sender" }],
    // a CBOR body that does not decode
    [new SerializationException("bad cbor"), { status: 400, code: "SerializationException", message: "bad cbor", type: "Sender" }],
    // an operation berth does not serve
    [new UnknownOperationException("Unknown operation PutDashboard"), { status: 400, code: "InvalidAction", message: "Unknown operation PutDashboard", type: "Sender" }],
    // a lost write race is ours and retryable
    [new ConflictError("k"), { status: 500, code: "InternalServiceError", message: "The request conflicted with a concurrent change; retry it. (request r1)", type: "Receiver" }],
    // anything else hides its message
    [new Error("secret detail"), { status: 500, code: "InternalServiceError", message: "An internal error has occurred (request r1).", type: "Receiver" }],
  ])("%s", (err, want) => {
    expect(toCloudWatchError(err, "r1")).toEqual(want);
  });
});
