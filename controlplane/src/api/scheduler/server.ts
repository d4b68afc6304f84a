import { BerthError, ValidationException, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { createModelValidator } from "../aws/model-validate.js";
import { restJsonApi } from "../aws/rest-json.js";
import type { AwsApi } from "../aws/service.js";
import { schedulerActions } from "./actions/index.js";
import { toSchedulerError } from "./errors.js";
import { schedulerModel } from "./generated/model.js";
import { schedulerInputValidators } from "./generated/validators.js";

/**
 * The EventBridge Scheduler API on berth's endpoint: rest-json (`POST /schedules/{Name}`, …),
 * signed for `scheduler`, validated against the vendored model; schedules whose target is a
 * berth cluster run ECS tasks when they fire (the leader's schedule loop, core/schedule-firing.ts).
 */
export function schedulerApi(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<Record<string, unknown>>> = {};
  for (const [name, handler] of Object.entries(schedulerActions)) bound[name] = (input) => handler(ctx, input);
  return restJsonApi({
    name: "scheduler",
    title: "EventBridge Scheduler",
    signingName: "scheduler",
    model: schedulerModel,
    validate: createModelValidator(schedulerInputValidators, { invalid: (m) => new ValidationException(m) }),
    actions: bound,
    toError: toSchedulerError,
    onError(action, reply, err, requestId) {
      if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, type: reply.type, message: reply.message });
    },
  });
}
