import { Ec2DryRunOperation, Ec2Error, Ec2InvalidAction, Ec2InvalidParameterValue, Ec2MissingParameter, Ec2UnknownParameter, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { createModelValidator } from "../aws/model-validate.js";
import { queryApi } from "../aws/query-api.js";
import type { AwsApi } from "../aws/service.js";
import { actions } from "./actions/index.js";
import { toEc2Error } from "./errors.js";
import { ec2Model } from "./generated/model.js";
import { ec2InputValidators } from "./generated/validators.js";

// The model validator words a missing member "Missing required parameter: X"; EC2 calls that MissingParameter.
const validate = createModelValidator(ec2InputValidators, {
  invalid: (message) =>
    message.startsWith("Missing required parameter: ")
      ? new Ec2MissingParameter(`The request must contain the parameter ${message.slice("Missing required parameter: ".length)}`)
      : new Ec2InvalidParameterValue(message),
});

/**
 * The EC2 API subset for berth's network (VPC, zones, subnets, security groups): EC2's Query
 * protocol (`Action=…&Version=2016-11-15` in a form body or query string), XML answers in EC2's
 * namespace, EC2's error codes, signed as `ec2`. DryRun is answered as EC2 does once the input is
 * valid: DryRunOperation, nothing done.
 */
export function ec2Api(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<Record<string, unknown>>> = {};
  for (const [name, handler] of Object.entries(actions)) {
    bound[name] = (input: { DryRun?: boolean }) => {
      if (input.DryRun === true) throw new Ec2DryRunOperation();
      return handler(ctx, input);
    };
  }
  return queryApi({
    name: "ec2",
    signingName: "ec2",
    flavour: "ec2",
    model: ec2Model,
    validate,
    actions: bound,
    errors: {
      unknownAction: (action) => new Ec2InvalidAction(`The action ${action} is not valid for this web service.`),
      unknownParameter: (name) => new Ec2UnknownParameter(`The parameter ${name} is not recognized`),
    },
    toError: toEc2Error,
    onError(action, reply, err, requestId) {
      if (!(err instanceof Ec2Error) && reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, code: reply.code, message: reply.message });
    },
  });
}
