import { Encoder, decode } from "cbor-x";
import { SerializationException, UnknownOperationException } from "@berth/shared";
import type { RequestValidator } from "./model-validate.js";
import type { AwsModel } from "./model.js";
import type { QueryErrorReply } from "./query-api.js";
import type { ApiReply, ApiRequest, AwsApi } from "./service.js";

/**
 * What a Smithy RPC v2 CBOR API is made of (CloudWatch's first protocol in botocore 1.43 and the
 * current SDKs). Its errors are rendered from the same {@link QueryErrorReply} as its Query side,
 * so one error table serves both protocols of an `awsQueryCompatible` service.
 */
export interface RpcV2CborApiSpec {
  name: string;
  signingName: string;
  /** The served operations' shapes (generated); `metadata.targetPrefix` is the service name in the path. */
  model: AwsModel;
  /** The Smithy namespace of the service's shapes, e.g. `com.amazonaws.cloudwatch`, for errors' `__type`. */
  shapeNamespace: string;
  validate: RequestValidator;
  /** The implemented operations: validated input -> output structure (model member names, Date timestamps). */
  actions: Record<string, (input: any) => Promise<Record<string, unknown>>>;
  toError(err: unknown, requestId: string): QueryErrorReply;
  onError?(action: string, reply: QueryErrorReply, err: unknown, requestId: string): void;
}

// Plain CBOR maps (no cbor-x records or structured-clone tags), as Smithy's decoders expect.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

const pathPattern = /^\/service\/([^/]+)\/operation\/([^/]+)$/;

/** `/service/<ServiceName>/operation/<Operation>`'s two names, or undefined. */
export function rpcV2CborRoute(path: string): { service: string; operation: string } | undefined {
  const m = pathPattern.exec(path);
  return m ? { service: decodeURIComponent(m[1]), operation: decodeURIComponent(m[2]) } : undefined;
}

/**
 * A decoded request body as the generated validators read it: timestamps (CBOR tag 1, decoded
 * as Date) become epoch seconds, as AWS JSON sends them; blobs become base64 text. Pure.
 */
export function cborInputToJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(cborInputToJson);
  if (value instanceof Map) return cborInputToJson(Object.fromEntries(value));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cborInputToJson(v);
    return out;
  }
  return value;
}

/** An output structure without its undefined members (CBOR has an `undefined` no SDK expects). Pure. */
export function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value instanceof Date || value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}

/** The bytes of one CBOR data item. */
export function encodeCbor(value: unknown): Buffer {
  return Buffer.from(encoder.encode(withoutUndefined(value)));
}

/** The shape name of the model's error whose (query-compatible) code is `code`, else the code itself. */
export function errorShapeOf(model: AwsModel, code: string): string {
  for (const [name, shape] of Object.entries(model.shapes)) {
    const e = shape.error as { code?: string } | undefined;
    if (shape.exception === true && (e?.code ?? name) === code) return name;
  }
  return code;
}

/**
 * The error of an awsQueryCompatible service in its JSON-family protocols (JSON 1.0, RPC v2
 * CBOR): `{__type: "<namespace>#<ErrorShape>", message}` plus `x-amzn-query-error: <Code>;<fault>`,
 * from which the SDKs read the Query code (the body's encoding is the protocol's).
 */
export function queryCompatibleError(model: AwsModel, shapeNamespace: string, r: QueryErrorReply): { body: { __type: string; message: string }; headers: Record<string, string> } {
  const fault = r.type ?? (r.status >= 500 ? "Receiver" : "Sender");
  return { body: { __type: `${shapeNamespace}#${errorShapeOf(model, r.code)}`, message: r.message }, headers: { "x-amzn-query-error": `${r.code};${fault}` } };
}

/**
 * An AwsApi for the Smithy RPC v2 CBOR protocol: claims `POST /service/<model's service>/
 * operation/<Op>` carrying `smithy-protocol: rpc-v2-cbor`, decodes the CBOR body, validates it
 * with the generated validators, dispatches, and answers CBOR (`application/cbor`, the
 * `smithy-protocol` header; no body for an operation without output). Errors are a CBOR map
 * `{__type: "<namespace>#<ErrorShape>", message}` with the service's query-compatible code and
 * fault in `x-amzn-query-error` (`Code;Sender`), which botocore and the JS SDK read for the code.
 */
export function rpcV2CborApi(spec: RpcV2CborApiSpec): AwsApi {
  const service = String(spec.model.metadata.targetPrefix ?? "");
  const actionOf = (req: ApiRequest) => rpcV2CborRoute(req.path)?.operation ?? "unknown";
  const headers = { "smithy-protocol": "rpc-v2-cbor" };

  const errorReply = (err: unknown, req: ApiRequest): ApiReply => {
    const r = spec.toError(err, req.requestId);
    const action = actionOf(req);
    spec.onError?.(action, r, err, req.requestId);
    const e = queryCompatibleError(spec.model, spec.shapeNamespace, r);
    return { status: r.status, contentType: "application/cbor", headers: { ...headers, ...e.headers }, body: encodeCbor(e.body), action };
  };

  return {
    name: spec.name,
    signingName: spec.signingName,
    claims: (req) => req.method === "POST" && String(req.headers["smithy-protocol"] ?? "") === "rpc-v2-cbor" && rpcV2CborRoute(req.path)?.service === service,
    errorReply,
    async handle(req) {
      const action = actionOf(req);
      try {
        const op = spec.model.operations[action];
        const handler = spec.actions[action];
        if (!op || !handler) throw new UnknownOperationException(`Unknown operation ${action}`);
        let raw: unknown = {};
        if (req.body.length > 0) {
          try {
            raw = decode(req.body);
          } catch (err) {
            throw new SerializationException(`Request body is not valid CBOR: ${(err as Error).message}`);
          }
        }
        const input = cborInputToJson(raw);
        spec.validate(action, input);
        const output = await handler(input);
        const body = op.output ? encodeCbor(output) : Buffer.alloc(0);
        return { status: 200, contentType: "application/cbor", headers, body, action };
      } catch (err) {
        return errorReply(err, req);
      }
    },
  };
}
