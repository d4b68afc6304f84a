import { BerthError, InvalidParameterException, type Logger } from "@berth/shared";
import { createModelValidator } from "../aws/model-validate.js";
import { jsonApi } from "../aws/json-api.js";
import type { AwsApi } from "../aws/service.js";
import { logsActions, type LogsContext } from "./actions/index.js";
import { fanOutLogsApi, type LogPeers } from "./fan-out.js";
import { toLogsError } from "./errors.js";
import { logsInputValidators } from "./generated/validators.js";
import { logsOperations } from "./validate.js";

/**
 * The CloudWatch Logs API subset berth serves on its one endpoint: AWS JSON 1.1, the action
 * named by `X-Amz-Target: Logs_20140328.<Action>`, signed for `logs`, validated against the
 * vendored model and answered from the log store (see controlplane/src/logstore/).
 */
export function logsApi(ctx: LogsContext, log: Logger, peers?: LogPeers): AwsApi {
  const main = storeApi(ctx, log);
  // With other replicas, reads and retention go to every replica's store (fan-out.ts).
  return peers ? fanOutLogsApi(main, storeApi({ ...ctx, peer: true }, log), peers, log) : main;
}

/** The Logs API answered from this replica's store alone. */
function storeApi(ctx: LogsContext, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(logsActions)) bound[name] = (input) => handler(ctx, input);
  return jsonApi({
    name: "logs",
    title: "CloudWatch Logs",
    signingName: "logs",
    targetPrefix: "Logs_20140328",
    contentType: "application/x-amz-json-1.1",
    operations: logsOperations,
    validate: createModelValidator(logsInputValidators, { invalid: (m) => new InvalidParameterException(m) }),
    actions: bound,
    toError: toLogsError,
    onError(action, reply, err, requestId) {
      if (!(err instanceof BerthError) || reply.status >= 500) log.error("request failed", { action, requestId, err });
      else log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
    },
  });
}
