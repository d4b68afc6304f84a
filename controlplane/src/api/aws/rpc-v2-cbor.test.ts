import { decode } from "cbor-x";
import { SerializationException, ValidationException } from "@berth/shared";
import { describe, expect, it } from "vitest";
import type { AwsModel } from "./model.js";
import { cborInputToJson, encodeCbor, rpcV2CborApi, rpcV2CborRoute } from "./rpc-v2-cbor.js";
import type { ApiRequest } from "./service.js";

const model: AwsModel = {
  metadata: { apiVersion: "2010-08-01", protocol: "smithy-rpc-v2-cbor", serviceId: "Test", targetPrefix: "TestService20100801" },
  operations: { Echo: { input: "EchoInput", output: "EchoOutput" }, Fire: { input: "FireInput" } },
  shapes: {
    EchoInput: { type: "structure", members: {} },
    EchoOutput: { type: "structure", members: {} },
    FireInput: { type: "structure", members: {} },
    NotThere: { type: "structure", members: {}, exception: true, error: { code: "ResourceNotFound", httpStatusCode: 404 } },
  },
};
const api = rpcV2CborApi({
  name: "test",
  signingName: "test",
  model,
  shapeNamespace: "com.amazonaws.test",
  validate: (_action, body) => {
    if ((body as { bad?: unknown }).bad !== undefined) throw new ValidationException("bad: not allowed");
  },
  actions: {
    Echo: async (input) => ({ Got: input, At: new Date(1_700_000_000_000), Gone: undefined }),
    Fire: async () => ({}),
  },
  toError: (err) =>
    err instanceof ValidationException
      ? { status: 400, code: "ValidationError", message: err.message }
      : err instanceof SerializationException
        ? { status: 400, code: "SerializationException", message: err.message }
        : { status: 404, code: "ResourceNotFound", message: "gone" },
});
const req = (op: string, body: unknown, headers: Record<string, string> = { "smithy-protocol": "rpc-v2-cbor" }): ApiRequest => ({
  method: "POST",
  path: `/service/TestService20100801/operation/${op}`,
  query: new URLSearchParams(),
  headers,
  body: body === undefined ? Buffer.alloc(0) : encodeCbor(body),
  requestId: "r1",
});

describe("rpcV2CborApi", () => {
  it.each<[string, ApiRequest, boolean]>([
    // the protocol header and the service's path
    ["claimed", req("Echo", {}), true],
    // without the smithy-protocol header it is not rpc-v2-cbor
    ["no header", req("Echo", {}, {}), false],
    // another service's path
    ["other service", { ...req("Echo", {}), path: "/service/Other/operation/Echo" }, false],
  ])("claims: %s", (_name, r, want) => {
    expect(api.claims(r)).toBe(want);
  });

  it("decodes the body, timestamps as epoch seconds, and answers CBOR without undefined members", async () => {
    const reply = await api.handle(req("Echo", { When: new Date(1_000_500), N: 2.5 }));
    expect(reply).toMatchObject({ status: 200, contentType: "application/cbor", headers: { "smithy-protocol": "rpc-v2-cbor" } });
    const out = decode(reply.body as Buffer) as Record<string, unknown>;
    expect(out).toEqual({ Got: { When: 1000.5, N: 2.5 }, At: new Date(1_700_000_000_000) });
  });

  it("answers an operation without output with no body", async () => {
    const reply = await api.handle(req("Fire", undefined));
    expect([reply.status, (reply.body as Buffer).length]).toEqual([200, 0]);
  });

  it.each<[string, ApiRequest, number, string, string]>([
    // the validator's refusal, with its query-compatible code
    ["invalid", req("Echo", { bad: 1 }), 400, "com.amazonaws.test#ValidationError", "ValidationError;Sender"],
    // a modelled error is named by its shape, its code in the header
    ["modelled", req("Nope", {}), 404, "com.amazonaws.test#NotThere", "ResourceNotFound;Sender"],
  ])("errors: %s", async (_name, r, status, type, header) => {
    const reply = await api.handle(r);
    expect(reply.status).toBe(status);
    expect(reply.headers?.["x-amzn-query-error"]).toBe(header);
    expect((decode(reply.body as Buffer) as { __type: string }).__type).toBe(type);
  });

  it("refuses a body that is not CBOR", async () => {
    const reply = await api.handle({ ...req("Echo", {}), body: Buffer.from([0xff, 0x00]) });
    expect([reply.status, (decode(reply.body as Buffer) as { message: string }).message]).toEqual([400, expect.stringMatching(/^Request body is not valid CBOR/)]);
  });
});

describe("rpcV2CborRoute and cborInputToJson", () => {
  it.each([
    // the two names
    ["/service/GraniteServiceVersion20100801/operation/DescribeAlarms", { service: "GraniteServiceVersion20100801", operation: "DescribeAlarms" }],
    // not an rpc-v2 path
    ["/", undefined],
  ])("%s", (path, want) => {
    expect(rpcV2CborRoute(path)).toEqual(want);
  });

  it("turns blobs into base64 and leaves the rest", () => {
    expect(cborInputToJson({ b: new Uint8Array([1, 2]), l: [new Date(2000)], s: "x" })).toEqual({ b: "AQI=", l: [2], s: "x" });
  });
});
