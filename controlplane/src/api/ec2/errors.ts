import {
  Ec2Error,
  ExpiredTokenException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from "@berth/shared";
import { queryErrorMapper } from "../aws/query-errors.js";

/**
 * Translates an error into EC2's `<Errors><Error><Code>` terms: the shared Query mapping
 * (api/aws/query-errors.ts) with EC2's words: every SigV4 refusal is a 401 AuthFailure, a
 * refusal in ECS's types an InvalidParameterValue, and its envelope names no fault type.
 */
export const toEc2Error = queryErrorMapper({
  own: (err) => (err instanceof Ec2Error ? { status: err.httpStatus, code: err.code, message: err.message } : undefined),
  rows: [
    [MissingAuthenticationTokenException, 401, "AuthFailure"],
    [UnrecognizedClientException, 401, "AuthFailure"],
    [ExpiredTokenException, 401, "AuthFailure"],
    [InvalidSignatureException, 401, "AuthFailure"],
  ],
  internalCode: "InternalError",
  refusalCode: "InvalidParameterValue",
  faultType: false,
});
