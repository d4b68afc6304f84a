import { Elbv2Error, Elbv2ValidationError, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { createModelValidator } from "../aws/model-validate.js";
import { queryApi } from "../aws/query-api.js";
import type { AwsApi } from "../aws/service.js";
import { actions, type Elbv2Deps } from "./actions/index.js";
import { toElbv2Error } from "./errors.js";
import { elbv2Model } from "./generated/model.js";
import { elbv2InputValidators } from "./generated/validators.js";

// ELBv2 answers every malformed or missing parameter with its generic ValidationError.
const validate = createModelValidator(elbv2InputValidators, { invalid: (message) => new Elbv2ValidationError(message) });

/**
 * The ELBv2 API subset for berth's load balancers: the AWS Query protocol (`Action=…&Version=
 * 2015-12-01`, lists as `Name.member.N`), XML answers in ELBv2's namespace, ELBv2's error codes in
 * `<ErrorResponse>`, signed as `elasticloadbalancing`. `deps.dnsName` is the host the load
 * balancers' listeners bind on.
 */
export function elbv2Api(ctx: CoreContext, deps: Elbv2Deps, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<Record<string, unknown>>> = {};
  for (const [name, handler] of Object.entries(actions)) bound[name] = (input) => handler(ctx, input, deps);
  return queryApi({
    name: "elbv2",
    signingName: "elasticloadbalancing",
    flavour: "query",
    model: elbv2Model,
    validate,
    actions: bound,
    errors: {
      unknownAction: (action) => new Elbv2ValidationError(`Could not find operation ${action} for version 2015-12-01`),
      unknownParameter: (name) => new Elbv2ValidationError(`Unknown parameter: ${name}`),
    },
    toError: toElbv2Error,
    onError(action, reply, err, requestId) {
      if (!(err instanceof Elbv2Error) && reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, code: reply.code, message: reply.message });
    },
  });
}
