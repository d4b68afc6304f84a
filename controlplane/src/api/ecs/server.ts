import { BerthError, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { jsonApi } from "../aws/json-api.js";
import type { AwsApi } from "../aws/service.js";
import { actions } from "./actions/index.js";
import { toEcsError } from "./errors.js";
import { ecsOperations, validateRequest } from "./validate.js";

/**
 * The ECS-compatible API: AWS JSON 1.1, the action named by
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Action>`, each request validated against
 * the ECS model and answered in ECS's shapes. It is berth's catch-all API: a request no other
 * API claims gets ECS's UnknownOperationException.
 */
export function ecsApi(ctx: CoreContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(actions)) bound[name] = (input) => handler(ctx, input);
  return jsonApi(
    {
      name: "ecs",
      title: "ECS",
      signingName: "ecs",
      targetPrefix: "AmazonEC2ContainerServiceV20141113",
      contentType: "application/x-amz-json-1.1",
      operations: ecsOperations,
      validate: validateRequest,
      actions: bound,
      toError: toEcsError,
      onError(action, reply, err, requestId) {
        if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
        else log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
      },
    },
    { claimAll: true },
  );
}
