import { UnknownOperationException, UnsupportedFeatureException } from "@berth/shared";
import { parseJsonBody } from "./http-body.js";
import type { RequestValidator } from "./model-validate.js";
import type { ApiReply, ApiRequest, AwsApi } from "./service.js";

/** An error rendered as an AWS JSON protocol body: `{__type, message, …}` with its HTTP status. */
export interface JsonErrorReply {
  status: number;
  body: { __type: string; message: string } & Record<string, unknown>;
  /** Extra headers, such as an `awsQueryCompatible` service's `x-amzn-query-error`. */
  headers?: Record<string, string>;
}

/** What an AWS JSON 1.0/1.1 API is made of; the protocol plumbing is the same for all of them. */
export interface JsonApiSpec {
  name: string;
  /** How messages name the API, e.g. `ECS`, `CloudWatch Logs`. */
  title: string;
  signingName: string;
  /** `X-Amz-Target` is `<targetPrefix>.<Operation>`, e.g. `Logs_20140328`. */
  targetPrefix: string;
  /** `application/x-amz-json-1.1` or `-1.0`, as the model's `jsonVersion` says. */
  contentType: string;
  /** Every operation of the vendored model (an unimplemented one is told apart from a typo). */
  operations: readonly string[];
  validate: RequestValidator;
  /** The implemented operations: validated input -> output body. */
  actions: Record<string, (input: any) => Promise<object>>;
  toError(err: unknown, requestId: string): JsonErrorReply;
  /** Called for each refused request, to log it at the API's own level. */
  onError?(action: string, reply: JsonErrorReply, err: unknown, requestId: string): void;
}

/** An AwsApi for a JSON protocol service: claims its target prefix, validates, dispatches. */
export function jsonApi(spec: JsonApiSpec, opts: { claimAll?: boolean } = {}): AwsApi {
  const prefix = `${spec.targetPrefix}.`;
  const actionOf = (req: ApiRequest) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    return target.startsWith(prefix) ? target.slice(prefix.length) : "unknown";
  };
  const reply = (action: string, status: number, body: object, headers?: Record<string, string>): ApiReply => ({
    status,
    contentType: spec.contentType,
    body: JSON.stringify(body),
    ...(headers && { headers }),
    action,
  });
  return {
    name: spec.name,
    signingName: spec.signingName,
    // The catch-all API (ECS, berth's first) answers every request no other API claimed, so a
    // wrong target or path gets ECS's UnknownOperationException rather than silence.
    claims: (req) => opts.claimAll === true || String(req.headers["x-amz-target"] ?? "").startsWith(prefix),
    errorReply(err, req) {
      const r = spec.toError(err, req.requestId);
      spec.onError?.(actionOf(req), r, err, req.requestId);
      return reply(actionOf(req), r.status, r.body, r.headers);
    },
    async handle(req) {
      const action = actionOf(req);
      try {
        if (req.method !== "POST" || req.path !== "/") {
          throw new UnknownOperationException(`No route for ${req.method} ${req.path}; the ${spec.title} API is POST / with X-Amz-Target`);
        }
        if (action === "unknown") {
          throw new UnknownOperationException(`X-Amz-Target '${String(req.headers["x-amz-target"] ?? "")}' is not an ${spec.title} operation`);
        }
        const input = parseJsonBody(req.body);
        spec.validate(action, input);
        const handler = spec.actions[action];
        if (!handler) {
          if (!spec.operations.includes(action)) throw new UnknownOperationException(`Unknown operation ${action}`);
          throw new UnsupportedFeatureException(`${action} is not implemented by berth yet`);
        }
        return reply(action, 200, await handler(input));
      } catch (err) {
        return this.errorReply(err, req);
      }
    },
  };
}
