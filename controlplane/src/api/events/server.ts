import { BerthError, ValidationException, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { jsonApi } from "../aws/json-api.js";
import { createModelValidator } from "../aws/model-validate.js";
import type { AwsApi } from "../aws/service.js";
import { eventsActions } from "./actions/index.js";
import { toEventsError } from "./errors.js";
import { eventsInputValidators, eventsOperationNames } from "./generated/validators.js";

/**
 * EventBridge rules on berth's endpoint: AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Action>`,
 * signed for `events`, validated against the vendored (trimmed) model. Scheduled rules with
 * ECS targets fire through the leader's schedule loop.
 */
export function eventsApi(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(eventsActions)) bound[name] = (input) => handler(ctx, input);
  return jsonApi({
    name: "events",
    title: "EventBridge",
    signingName: "events",
    targetPrefix: "AWSEvents",
    contentType: "application/x-amz-json-1.1",
    operations: eventsOperationNames,
    validate: createModelValidator(eventsInputValidators, { invalid: (m) => new ValidationException(m) }),
    actions: bound,
    toError: toEventsError,
    onError(action, reply, err, requestId) {
      if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
    },
  });
}
