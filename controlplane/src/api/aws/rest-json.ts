import { UnknownOperationException, UnsupportedFeatureException } from "@berth/shared";
import type { AwsModel } from "./model.js";
import type { RequestValidator } from "./model-validate.js";
import { compileRoutes, matchRoute, restInput, restOutput } from "./rest-json-parse.js";
import type { ApiReply, ApiRequest, AwsApi } from "./service.js";

/** An error as rest-json answers it: the status, the type (sent as `X-Amzn-ErrorType`) and the error shape's members. */
export interface RestErrorReply {
  status: number;
  type: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** What a rest-json API is made of; routing, locations and errors are the protocol's, the same for all. */
export interface RestJsonApiSpec {
  name: string;
  /** How messages name the API, e.g. `EventBridge Scheduler`. */
  title: string;
  signingName: string;
  /** The served operations' slice of the model, with their `http` routes (generated `modelOut`). */
  model: AwsModel;
  validate: RequestValidator;
  /** The implemented operations: validated input -> output members. */
  actions: Record<string, (input: any) => Promise<Record<string, unknown>>>;
  toError(err: unknown, requestId: string): RestErrorReply;
  /** Called for each refused request, to log it at the API's own level. */
  onError?(action: string, reply: RestErrorReply, err: unknown, requestId: string): void;
}

/** `Credential=AKID/20260101/us-east-1/<service>/aws4_request` -> `<service>`, when signed. */
function signedService(req: ApiRequest): string | undefined {
  const auth = String(req.headers.authorization ?? "");
  return /Credential=[^/,]+\/\d{8}\/[^/,]+\/([^/,]+)\//.exec(auth)?.[1];
}

/**
 * An AwsApi for a rest-json service: claims the requests whose path is one of its model's
 * routes (and, when signed, whose credential scope names its signing name, so two rest-json
 * APIs with a `/tags/{ResourceArn}` route each get their own), gathers the input from path,
 * query, headers and body, validates and dispatches; errors carry `X-Amzn-ErrorType`.
 */
export function restJsonApi(spec: RestJsonApiSpec): AwsApi {
  const routes = compileRoutes(spec.model);
  const actionOf = (req: ApiRequest) => {
    try {
      return matchRoute(routes, req.method, req.path, req.query).match?.operation ?? "unknown";
    } catch {
      return "unknown";
    }
  };
  return {
    name: spec.name,
    signingName: spec.signingName,
    claims(req) {
      if (req.method === "POST" && req.path === "/") return false; // the JSON and Query protocols' route
      const service = signedService(req);
      if (service !== undefined && service !== spec.signingName) return false;
      try {
        const r = matchRoute(routes, req.method, req.path, req.query);
        return r.match !== undefined || r.pathKnown === true;
      } catch {
        return true;
      }
    },
    errorReply(err, req) {
      const r = spec.toError(err, req.requestId);
      const action = actionOf(req);
      spec.onError?.(action, r, err, req.requestId);
      return {
        status: r.status,
        contentType: "application/json",
        headers: { "x-amzn-errortype": r.type },
        body: JSON.stringify({ ...r.fields, Message: r.message }),
        action,
      };
    },
    async handle(req): Promise<ApiReply> {
      try {
        const { match } = matchRoute(routes, req.method, req.path, req.query);
        if (!match) throw new UnknownOperationException(`No ${spec.title} operation is ${req.method} ${req.path}`);
        const input = restInput(spec.model, match, req.query, req.headers, req.body);
        spec.validate(match.operation, input);
        const handler = spec.actions[match.operation];
        if (!handler) throw new UnsupportedFeatureException(`${match.operation} is not implemented by berth yet`);
        const out = restOutput(spec.model, match.operation, await handler(input));
        return { status: out.status, contentType: "application/json", headers: out.headers, body: out.body, action: match.operation };
      } catch (err) {
        return this.errorReply(err, req);
      }
    },
  };
}
