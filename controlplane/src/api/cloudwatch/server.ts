import { CloudWatchError, CloudWatchValidationError, UnknownOperationException, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { createModelValidator } from "../aws/model-validate.js";
import { jsonApi } from "../aws/json-api.js";
import { queryApi, type QueryErrorReply } from "../aws/query-api.js";
import { queryCompatibleError, rpcV2CborApi, withoutUndefined } from "../aws/rpc-v2-cbor.js";
import type { AwsApi } from "../aws/service.js";
import { cloudwatchActions, type MetricDeps } from "./actions/index.js";
import { toCloudWatchError } from "./errors.js";
import { cloudwatchModel } from "./generated/model.js";
import { cloudwatchInputValidators, cloudwatchOperationNames } from "./generated/validators.js";

// CloudWatch answers every malformed or missing parameter with the Query protocol's ValidationError.
const validate = createModelValidator(cloudwatchInputValidators, { invalid: (message) => new CloudWatchValidationError(message) });

/**
 * The CloudWatch API subset for alarms on berth's own metrics (docs/CLOUDWATCH.md), signed as
 * `monitoring`, in the three protocols its model lists: Query (`Action=…&Version=2010-08-01`,
 * XML answers; Debian's AWS CLI v2), AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.
 * <Op>`; botocore 1.43 and the JS SDK pick it first) and Smithy RPC v2 CBOR (the model's first),
 * one set of actions and one error table behind all three. `deps` bounds the alarms' windows and
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
      // An operation of CloudWatch's that berth does not serve (PutMetricData, dashboards, …) is InvalidAction.
      unknownAction: (action) => new UnknownOperationException(`Could not find operation ${action} for version 2010-08-01 (berth serves ${cloudwatchOperationNames.join(", ")})`),
      unknownParameter: (name) => new CloudWatchValidationError(`Unknown parameter: ${name}`),
    },
    toError: toCloudWatchError,
    onError,
  });
  // JSON 1.0 carries timestamps as epoch seconds, and the query-compatible code in a header as CBOR does.
  const jsonActions: Record<string, (input: any) => Promise<object>> = {};
  for (const [name, handler] of Object.entries(bound)) jsonActions[name] = async (input) => datesAsSeconds(withoutUndefined(await handler(input))) as object;
  const json = jsonApi({
    name: "cloudwatch",
    title: "CloudWatch",
    signingName: "monitoring",
    targetPrefix: "GraniteServiceVersion20100801",
    contentType: "application/x-amz-json-1.0",
    operations: cloudwatchOperationNames,
    validate,
    actions: jsonActions,
    toError(err, requestId) {
      const r = toCloudWatchError(err, requestId);
      return { status: r.status, ...queryCompatibleError(cloudwatchModel, "com.amazonaws.cloudwatch", r) };
    },
    onError: (action, reply, err, requestId) => onError(action, { status: reply.status, code: reply.body.__type, message: reply.body.message }, err, requestId),
  });
  const cbor = rpcV2CborApi({ name: "cloudwatch", signingName: "monitoring", model: cloudwatchModel, shapeNamespace: "com.amazonaws.cloudwatch", validate, actions: bound, toError: toCloudWatchError, onError });
  // One entry on the endpoint's list: each request goes to the protocol that claims it.
  const pick = (req: Parameters<AwsApi["claims"]>[0]) => (cbor.claims(req) ? cbor : json.claims(req) ? json : query);
  return {
    name: "cloudwatch",
    signingName: "monitoring",
    claims: (req) => cbor.claims(req) || json.claims(req) || query.claims(req),
    handle: (req) => pick(req).handle(req),
    errorReply: (err, req) => pick(req).errorReply(err, req),
  };
}

/** Every Date in an output structure as epoch seconds, as AWS JSON writes timestamps. */
function datesAsSeconds(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(datesAsSeconds);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, datesAsSeconds(v)]));
  return value;
}
