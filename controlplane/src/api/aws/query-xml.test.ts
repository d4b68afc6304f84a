import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { ec2Model } from "../ec2/generated/model.js";
import type { AwsModel } from "./model.js";
import { buildXml, serializeXml } from "./query-xml.js";

const queryModel: AwsModel = {
  metadata: { apiVersion: "2015-12-01", protocol: "query", serviceId: "Test" },
  operations: { Op: { output: "Out" } },
  shapes: {
    Out: {
      type: "structure",
      members: { Names: { shape: "Names" }, Flat: { shape: "Flat", locationName: "Thing" }, Attrs: { shape: "Attrs" }, At: { shape: "Ts" }, N: { shape: "Int" } },
    },
    Names: { type: "list", member: { shape: "Str" } },
    Flat: { type: "list", member: { shape: "Str" }, flattened: true },
    Attrs: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
    Str: { type: "string" },
    Ts: { type: "timestamp" },
    Int: { type: "integer" },
  },
};

describe("serializeXml", () => {
  it.each<[string, AwsModel, string, Record<string, unknown>, string]>([
    // EC2: elements by locationName, lists as <item>, booleans and numbers as text
    [
      "ec2 subnets",
      ec2Model,
      "DescribeSubnetsResult",
      { Subnets: [{ SubnetId: "subnet-1", DefaultForAz: true, AvailableIpAddressCount: 11, Tags: [{ Key: "a&b", Value: "<v>" }] }] },
      "<R><subnetSet><item><tagSet><item><key>a&amp;b</key><value>&lt;v&gt;</value></item></tagSet><subnetId>subnet-1</subnetId><availableIpAddressCount>11</availableIpAddressCount><defaultForAz>true</defaultForAz></item></subnetSet></R>",
    ],
    // an empty list is an empty element; absent members are left out
    ["ec2 empty list", ec2Model, "DescribeVpcsResult", { Vpcs: [], NextToken: undefined }, "<R><vpcSet></vpcSet></R>"],
    // query flavour: <member>, flattened lists repeat in place, maps as entries, ISO timestamps
    [
      "query",
      queryModel,
      "Out",
      { Names: ["a", "b"], Flat: ["x", "y"], Attrs: { k: "v" }, At: new Date(Date.UTC(2026, 11, 1)), N: 3 },
      "<R><Names><member>a</member><member>b</member></Names><Thing>x</Thing><Thing>y</Thing><Attrs><entry><key>k</key><value>v</value></entry></Attrs><At>2026-12-01T00:00:00.000Z</At><N>3</N></R>",
    ],
  ])("%s", (_name, model, shape, value, want) => {
    const xml = buildXml({ R: serializeXml(model, shape, value, model === ec2Model ? "ec2" : "query") });
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${want}`);
  });

  it("round-trips through an XML parser", () => {
    const xml = buildXml({ R: serializeXml(ec2Model, "CreateSecurityGroupResult", { GroupId: "sg-1", Tags: [] }, "ec2") });
    expect(new XMLParser().parse(xml)).toEqual({ "?xml": "", R: { groupId: "sg-1", tagSet: "" } });
  });
});
