import { BerthError, ValidationException, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { createModelValidator } from "../aws/model-validate.js";
import { jsonApi } from "../aws/json-api.js";
import type { AwsApi } from "../aws/service.js";
import { autoscalingActions } from "./actions/index.js";
import { toAutoscalingError } from "./errors.js";
import { autoscalingInputValidators, autoscalingOperationNames } from "./generated/validators.js";

/**
 * The Application Auto Scaling API on berth's one endpoint, for ECS services' desired counts:
 * AWS JSON 1.1, `X-Amz-Target: AnyScaleFrontendService.<Action>`, signed for
 * `application-autoscaling`, validated against the vendored model; the scaler that acts on the
 * policies is a leader loop (reconcile/autoscaling/). See docs/AUTOSCALING.md.
 */
export function autoscalingApi(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(autoscalingActions)) bound[name] = (input) => handler(ctx, input);
  return jsonApi({
    name: "application-autoscaling",
    title: "Application Auto Scaling",
    signingName: "application-autoscaling",
    targetPrefix: "AnyScaleFrontendService",
    contentType: "application/x-amz-json-1.1",
    operations: autoscalingOperationNames,
    validate: createModelValidator(autoscalingInputValidators, { invalid: (m) => new ValidationException(m) }),
    actions: bound,
    toError: toAutoscalingError,
    onError(action, reply, err, requestId) {
      if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
    },
  });
}
