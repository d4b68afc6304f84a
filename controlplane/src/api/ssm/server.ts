import { BerthError, SsmValidationException, type Logger } from "@berth/shared";
import { createModelValidator } from "../aws/model-validate.js";
import { jsonApi } from "../aws/json-api.js";
import type { AwsApi } from "../aws/service.js";
import type { CoreContext } from "../../core/index.js";
import { awsJsonError } from "../secrets/errors.js";
import { ssmActions } from "./actions/index.js";
import { ssmInputValidators, ssmOperationNames } from "./generated/validators.js";

/**
 * SSM Parameter Store on berth's one endpoint: AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`,
 * signed for `ssm`, validated against the vendored (trimmed) model and answered from
 * core/secrets (SecureString values sealed at rest).
 */
export function ssmApi(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(ssmActions)) bound[name] = (input) => handler(ctx, input);
  return jsonApi({
    name: "ssm",
    title: "SSM",
    signingName: "ssm",
    targetPrefix: "AmazonSSM",
    contentType: "application/x-amz-json-1.1",
    operations: ssmOperationNames,
    validate: createModelValidator(ssmInputValidators, { invalid: (m) => new SsmValidationException(m) }),
    actions: bound,
    toError: awsJsonError("InternalServerError"),
    // Only types and messages are logged: request bodies (which carry values) never are.
    onError(action, reply, err, requestId) {
      if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
    },
  });
}
