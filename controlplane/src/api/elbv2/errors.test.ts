import { readFileSync } from "node:fs";
import { ConflictError, Elbv2PriorityInUse, Elbv2TargetGroupNotFound, ExpiredTokenException, InvalidParameterException, InvalidSignatureException } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { elbv2Statuses, toElbv2Error } from "./errors.js";

// The vendored model, read once: the table must agree with its exception shapes.
const model = JSON.parse(readFileSync(new URL("../../../aws-models/elbv2/service-2.json", import.meta.url), "utf8")) as {
  shapes: Record<string, { exception?: boolean; error?: { code: string; httpStatusCode: number } }>;
};
const modelStatuses = new Map(Object.values(model.shapes).filter((s) => s.exception && s.error).map((s) => [s.error!.code, s.error!.httpStatusCode]));

describe("elbv2Statuses", () => {
  it.each(Object.entries(elbv2Statuses).filter(([code]) => code !== "ValidationError"))("%s has the model's status", (code, status) => {
    expect(modelStatuses.get(code)).toBe(status);
  });
});

describe("toElbv2Error", () => {
  it.each([
    // an ELBv2 error keeps its code and message, a Sender fault
    [new Elbv2TargetGroupNotFound("Target group 'x' not found"), { status: 400, code: "TargetGroupNotFound", message: "Target group 'x' not found", type: "Sender" }],
    // another code, same envelope
    [new Elbv2PriorityInUse("Priority '10' is currently in use"), { status: 400, code: "PriorityInUse", message: "Priority '10' is currently in use", type: "Sender" }],
    // a bad signature in the Query protocol's words
    [new InvalidSignatureException("bad"), { status: 403, code: "SignatureDoesNotMatch", message: "bad", type: "Sender" }],
    // an expired session token: the common Query table's 403 ExpiredToken
    [new ExpiredTokenException("expired"), { status: 403, code: "ExpiredToken", message: "expired", type: "Sender" }],
    // an ECS-typed refusal from a shared helper is still the caller's mistake
    [new InvalidParameterException("x: bad"), { status: 400, code: "ValidationError", message: "x: bad", type: "Sender" }],
    // a lost write race is ours and retryable
    [new ConflictError("k"), { status: 500, code: "InternalFailure", message: "The request conflicted with a concurrent change; retry it. (request r1)", type: "Receiver" }],
    // anything else hides its message
    [new Error("secret detail"), { status: 500, code: "InternalFailure", message: "An internal error has occurred (request r1).", type: "Receiver" }],
  ])("%s", (err, want) => {
    expect(toElbv2Error(err, "r1")).toEqual(want);
  });
});
