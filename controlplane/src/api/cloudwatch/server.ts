import { CloudWatchError, CloudWatchValidationError, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { createModelValidator } from "../aws/model-validate.js";
import { queryApi, type QueryErrorReply } from "../aws/query-api.js";
import { rpcV2CborApi } from "../aws/rpc-v2-cbor.js";
import type { AwsApi } from "../aws/service.js";
import { cloudwatchActions, type MetricDeps } from "./actions/index.js";
import { toCloudWatchError } from "./errors.js";
import { cloudwatchModel } from "./generated/model.js";
import { cloudwatchInputValidators } from "./generated/validators.js";

// CloudWatch answers every malformed or missing parameter with the Query protocol's ValidationError.
const validate = createModelValidator(cloudwatchInputValidators, { invalid: (message) => new CloudWatchValidationError(message) });

/**
 * The CloudWatch API subset for alarms on berth's own metrics (docs/CLOUDWATCH.md), signed as
 * `monitoring`, in two of the protocols its model lists: Query (`Action=…&Version=2010-08-01`,
 * XML answers; Debian's AWS CLI v2) and Smithy RPC v2 CBOR (botocore 1.43, the current JS SDK),
 * one set of actions and one error table behind both. `deps` bounds the alarms' windows and
 * reads the metrics (the request counts only the leader's load balancer loop has).
 */
export function cloudwatchApi(ctx: CoreContext, deps: MetricDeps, log: Logger): AwsApi {
  const bound: Record<string, (input: any) => Promise<Record<string, unknown>>> = {};
  for (const [name, handler] of Object.entries(cloudwatchActions)) bound[name] = (input) => handler(ctx, input, deps);
  const onError = (action: string, reply: QueryErrorReply, err: unknown, requestId: string) => {
    if (!(err instanceof CloudWatchError) && reply.status >= 500) log.error("request failed", { action, requestId, err });
    else log.debug("request refused", { action, requestId, code: reply.code, message: reply.message });
  };
  const query = queryApi({
    name: "cloudwatch",
    signingName: "monitoring",
    flavour: "query",
    model: cloudwatchModel,
    validate,
    actions: bound,
    errors: {
      unknownAction: (action) => new CloudWatchValidationError(`Could not find operation ${action} for version 2010-08-01`),
      unknownParameter: (name) => new CloudWatchValidationError(`Unknown parameter: ${name}`),
    },
    toError: toCloudWatchError,
    onError,
  });
  const cbor = rpcV2CborApi({ name: "cloudwatch", signingName: "monitoring", model: cloudwatchModel, shapeNamespace: "com.amazonaws.cloudwatch", validate, actions: bound, toError: toCloudWatchError, onError });
  // One entry on the endpoint's list: each request goes to the protocol that claims it.
  const pick = (req: Parameters<AwsApi["claims"]>[0]) => (cbor.claims(req) ? cbor : query);
  return {
    name: "cloudwatch",
    signingName: "monitoring",
    claims: (req) => cbor.claims(req) || query.claims(req),
    handle: (req) => pick(req).handle(req),
    errorReply: (err, req) => pick(req).errorReply(err, req),
  };
}
