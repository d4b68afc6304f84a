import type http from "node:http";

/** One received API request, its body read whole (size-capped) before any API sees it. */
export interface ApiRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
}

/** What an API answers: the router writes it with the request id header. */
export interface ApiReply {
  status: number;
  contentType: string;
  /** Text for the JSON and XML protocols; bytes for rpc-v2-cbor. */
  body: string | Buffer;
  /** Extra response headers (rest-json's `X-Amzn-ErrorType`, members located in headers). */
  headers?: Record<string, string>;
  /** The operation answered, for metrics and logs ("unknown" when none was named). */
  action: string;
}

/**
 * One AWS API served on berth's endpoint (ECS, CloudWatch Logs, EC2, ELBv2, …). All of them share
 * one port, as a client's `--endpoint-url` names one URL: each API says which requests are its
 * own by the protocol's own marks (JSON 1.1: the `X-Amz-Target` prefix; Query: the form body's
 * `Version`; rest-json: the path), and answers errors in its own protocol's shape.
 */
export interface AwsApi {
  /** Short name for logs and metrics, e.g. `ecs`, `logs`. */
  name: string;
  /** The SigV4 signing name the credential scope must carry, e.g. `ecs`, `logs`, `ec2`. */
  signingName: string;
  /** Whether this request is for this API. Cheap and side-effect free. */
  claims(req: ApiRequest): boolean;
  /** Answers a claimed, authenticated request; its own failures come back as replies, not throws. */
  handle(req: ApiRequest): Promise<ApiReply>;
  /** Any error (SigV4 refusal, oversize body, a bug) in this API's error shape. */
  errorReply(err: unknown, req: ApiRequest): ApiReply;
}
