import type { RequestValidator } from "./model-validate.js";
import type { AwsModel } from "./model.js";
import { parseQueryForm, type QueryFlavour } from "./query-parse.js";
import { buildXml, serializeXml, type XmlElement } from "./query-xml.js";
import type { ApiReply, ApiRequest, AwsApi } from "./service.js";

/** An error as the Query protocols carry it: HTTP status, the service's code and a message. */
export interface QueryErrorReply {
  status: number;
  code: string;
  message: string;
  /** `Sender` for the caller's mistakes, `Receiver` for the service's (query flavour only). */
  type?: "Sender" | "Receiver";
}

/** What an AWS Query (or EC2) protocol API is made of; the form, XML and errors are shared. */
export interface QueryApiSpec {
  name: string;
  signingName: string;
  flavour: QueryFlavour;
  /** The served operations' shapes (generated); its `apiVersion` is the `Version` it claims. */
  model: AwsModel;
  validate: RequestValidator;
  /** The implemented operations: validated input -> output structure (model member names). */
  actions: Record<string, (input: any) => Promise<Record<string, unknown>>>;
  /** Errors raised before dispatch, in the service's own codes (it throws them, we render them). */
  errors: {
    unknownAction(action: string): Error;
    unknownParameter(name: string): Error;
  };
  toError(err: unknown, requestId: string): QueryErrorReply;
  onError?(action: string, reply: QueryErrorReply, err: unknown, requestId: string): void;
}

const formContentType = "application/x-www-form-urlencoded";

/** The request's form: the POST body when it is one, else the query string (GET). */
export function queryFormOf(req: ApiRequest): URLSearchParams {
  const type = String(req.headers["content-type"] ?? "");
  if (req.method === "POST" && type.startsWith(formContentType)) return new URLSearchParams(req.body.toString("utf8"));
  return req.query;
}

/** An XML namespace ends with `/`, as AWS's answers spell it. */
function namespaceOf(model: AwsModel): string {
  const ns = model.metadata.xmlNamespace ?? "";
  return ns.endsWith("/") ? ns : `${ns}/`;
}

/**
 * An AwsApi for a Query protocol service (EC2's flavour or the plain one ELBv2 uses): claims the
 * requests whose form `Version` is its model's API version, parses the form into the model's
 * structure, validates it with the generated validators, dispatches on `Action`, and answers in
 * XML in the model's namespace: EC2 as `<OpResponse><requestId/>…members`, the plain flavour as
 * `<OpResponse><OpResult>…</OpResult><ResponseMetadata><RequestId/>`.
 */
export function queryApi(spec: QueryApiSpec): AwsApi {
  const ns = namespaceOf(spec.model);
  const version = spec.model.metadata.apiVersion;
  const actionOf = (req: ApiRequest) => queryFormOf(req).get("Action") ?? "unknown";

  const errorReply = (err: unknown, req: ApiRequest): ApiReply => {
    const r = spec.toError(err, req.requestId);
    const action = actionOf(req);
    spec.onError?.(action, r, err, req.requestId);
    const body =
      spec.flavour === "ec2"
        ? buildXml({ Response: { Errors: { Error: { Code: r.code, Message: r.message } }, RequestID: req.requestId } })
        : buildXml({
            ErrorResponse: {
              "@_xmlns": ns,
              Error: { Type: r.type ?? (r.status >= 500 ? "Receiver" : "Sender"), Code: r.code, Message: r.message },
              RequestId: req.requestId,
            },
          });
    return { status: r.status, contentType: "text/xml", body, action };
  };

  return {
    name: spec.name,
    signingName: spec.signingName,
    claims: (req) => (req.method === "POST" || req.method === "GET") && req.path === "/" && queryFormOf(req).get("Version") === version,
    errorReply,
    async handle(req) {
      const action = actionOf(req);
      try {
        const op = spec.model.operations[action];
        const handler = spec.actions[action];
        if (!op || !handler) throw spec.errors.unknownAction(action);
        const { input, unused } = op.input ? parseQueryForm(spec.model, op.input, queryFormOf(req), spec.flavour) : { input: {}, unused: [] };
        if (unused.length > 0) throw spec.errors.unknownParameter(unused[0]);
        spec.validate(action, input);
        const output = await handler(input);
        const members = op.output ? serializeXml(spec.model, op.output, output, spec.flavour) : {};
        const root: XmlElement =
          spec.flavour === "ec2"
            ? { "@_xmlns": ns, requestId: req.requestId, ...members }
            : { "@_xmlns": ns, [`${action}Result`]: members, ResponseMetadata: { RequestId: req.requestId } };
        return { status: 200, contentType: "text/xml", body: buildXml({ [`${action}Response`]: root }), action };
      } catch (err) {
        return errorReply(err, req);
      }
    },
  };
}
