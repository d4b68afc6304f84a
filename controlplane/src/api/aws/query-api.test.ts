import { Ec2InvalidAction, Ec2InvalidParameterValue, Ec2UnknownParameter } from "@berth/shared";
import { describe, expect, it } from "vitest";
import type { AwsModel } from "./model.js";
import { queryApi, type QueryApiSpec } from "./query-api.js";
import type { ApiRequest } from "./service.js";

// A plain-query API as ELBv2's will be: its envelope is <OpResponse><OpResult>, errors <ErrorResponse>.
const model: AwsModel = {
  metadata: { apiVersion: "2015-12-01", protocol: "query", serviceId: "Test", xmlNamespace: "http://example.com/doc/2015-12-01/" },
  operations: { Op: { input: "OpInput", output: "OpOutput" } },
  shapes: {
    OpInput: { type: "structure", members: { Names: { shape: "Names" } } },
    OpOutput: { type: "structure", members: { Names: { shape: "Names" } } },
    Names: { type: "list", member: { shape: "Str" } },
    Str: { type: "string" },
  },
};

function api(flavour: "ec2" | "query") {
  const spec: QueryApiSpec = {
    name: "test",
    signingName: "test",
    flavour,
    model,
    validate: (_action, body) => {
      if ((body as { Names?: string[] }).Names?.includes("bad")) throw new Ec2InvalidParameterValue("Names: bad");
    },
    actions: { Op: async (input: { Names?: string[] }) => ({ Names: (input.Names ?? []).map((n) => n.toUpperCase()) }) },
    errors: { unknownAction: (a) => new Ec2InvalidAction(`no ${a}`), unknownParameter: (n) => new Ec2UnknownParameter(`no ${n}`) },
    toError: (err) => ({ status: 400, code: (err as { code?: string }).code ?? "InternalFailure", message: (err as Error).message }),
  };
  return queryApi(spec);
}

const request = (method: string, form: string): ApiRequest => ({
  method,
  path: "/",
  query: method === "GET" ? new URLSearchParams(form) : new URLSearchParams(),
  headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } : {},
  body: Buffer.from(method === "POST" ? form : ""),
  requestId: "rid-1",
});

const decl = '<?xml version="1.0" encoding="UTF-8"?>\n';

describe("queryApi", () => {
  it.each([
    // the form body's Version is the model's
    ["POST", "Action=Op&Version=2015-12-01", true],
    // a GET's query string
    ["GET", "Action=Op&Version=2015-12-01", true],
    // another API's version
    ["POST", "Action=Op&Version=2016-11-15", false],
    // no version at all (JSON protocols)
    ["POST", "{}", false],
  ])("%s %s claimed=%s", (method, form, want) => {
    expect(api("query").claims(request(method, form))).toBe(want);
  });

  it.each<["ec2" | "query", string, number, string]>([
    // the query flavour wraps members in <OpResult> with <ResponseMetadata>
    [
      "query",
      "Action=Op&Version=2015-12-01&Names.member.1=a",
      200,
      '<OpResponse xmlns="http://example.com/doc/2015-12-01/"><OpResult><Names><member>A</member></Names></OpResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></OpResponse>',
    ],
    // EC2's flavour puts <requestId> and the members straight in the response element
    ["ec2", "Action=Op&Version=2015-12-01&Names.1=a", 200, '<OpResponse xmlns="http://example.com/doc/2015-12-01/"><requestId>rid-1</requestId><Names><member>A</member></Names></OpResponse>'],
    // query-flavour errors: <ErrorResponse> with Type Sender
    [
      "query",
      "Action=Op&Version=2015-12-01&Names.member.1=bad",
      400,
      '<ErrorResponse xmlns="http://example.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>Names: bad</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>',
    ],
    // EC2-flavour errors: <Response><Errors><Error>
    ["ec2", "Action=Nope&Version=2015-12-01", 400, "<Response><Errors><Error><Code>InvalidAction</Code><Message>no Nope</Message></Error></Errors><RequestID>rid-1</RequestID></Response>"],
    // a parameter no member takes
    ["ec2", "Action=Op&Version=2015-12-01&Colour=red", 400, "<Response><Errors><Error><Code>UnknownParameter</Code><Message>no Colour</Message></Error></Errors><RequestID>rid-1</RequestID></Response>"],
  ])("%s %s", async (flavour, form, status, body) => {
    const reply = await api(flavour).handle(request("POST", form));
    expect(reply).toEqual({ status, contentType: "text/xml", body: decl + body, action: form.split("&")[0].slice("Action=".length) });
  });
});
