import {
  ConflictError,
  Ec2DryRunOperation,
  ExpiredTokenException,
  InvalidParameterException,
  InvalidSignatureException,
  InvalidSubnetIdNotFound,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  UnknownOperationException,
  UnrecognizedClientException,
} from "@berth/shared";
import { describe, expect, it } from "vitest";
import { toEc2Error } from "./errors.js";

describe("toEc2Error", () => {
  it.each<[string, unknown, number, string]>([
    // EC2's own errors keep their code
    ["ec2 error", new InvalidSubnetIdNotFound("The subnet ID 'subnet-1' does not exist"), 400, "InvalidSubnetID.NotFound"],
    // DryRun is 412, as EC2 answers it
    ["dry run", new Ec2DryRunOperation(), 412, "DryRunOperation"],
    // SigV4 refusals are EC2's AuthFailure
    ["unknown key", new UnrecognizedClientException("no"), 401, "AuthFailure"],
    ["bad signature", new InvalidSignatureException("no"), 401, "AuthFailure"],
    ["no signature", new MissingAuthenticationTokenException("no"), 401, "AuthFailure"],
    // an expired session token too (EC2's rows come before the common 403 ExpiredToken)
    ["expired token", new ExpiredTokenException("expired"), 401, "AuthFailure"],
    // the body cap
    ["too large", new RequestEntityTooLargeException("big"), 413, "RequestEntityTooLarge"],
    // an unknown action
    ["unknown op", new UnknownOperationException("x"), 400, "InvalidAction"],
    // an ECS-typed refusal from a shared helper is still a bad parameter
    ["ecs invalid", new InvalidParameterException("x: bad"), 400, "InvalidParameterValue"],
    // a lost write race is retryable
    ["conflict", new ConflictError("k"), 500, "InternalError"],
    // a bug hides its message
    ["bug", new TypeError("secret detail"), 500, "InternalError"],
  ])("%s", (_name, err, status, code) => {
    const r = toEc2Error(err, "req-1");
    expect(r).toMatchObject({ status, code });
    if (status === 500) expect(r.message).toContain("req-1");
  });
});
