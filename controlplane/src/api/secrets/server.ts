import { BerthError, InvalidParameterException, type Logger } from "@berth/shared";
import { createModelValidator } from "../aws/model-validate.js";
import { jsonApi } from "../aws/json-api.js";
import type { AwsApi } from "../aws/service.js";
import type { CoreContext } from "../../core/index.js";
import { secretsActions } from "./actions/index.js";
import { awsJsonError } from "./errors.js";
import { secretsmanagerInputValidators, secretsmanagerOperationNames } from "./generated/validators.js";

/**
 * The AWS Secrets Manager API subset berth serves on its one endpoint: AWS JSON 1.1, the action
 * named by `X-Amz-Target: secretsmanager.<Action>`, signed for `secretsmanager`, validated
 * against the vendored model and answered from core/secrets (values sealed at rest).
 */
export function secretsManagerApi(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(secretsActions)) bound[name] = (input) => handler(ctx, input);
  return jsonApi({
    name: "secretsmanager",
    title: "Secrets Manager",
    signingName: "secretsmanager",
    targetPrefix: "secretsmanager",
    contentType: "application/x-amz-json-1.1",
    operations: secretsmanagerOperationNames,
    validate: createModelValidator(secretsmanagerInputValidators, { invalid: (m) => new InvalidParameterException(m) }),
    actions: bound,
    toError: awsJsonError("InternalServiceError"),
    // Only types and messages are logged: request bodies (which carry values) never are.
    onError(action, reply, err, requestId) {
      if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
    },
  });
}
