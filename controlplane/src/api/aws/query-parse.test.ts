import { describe, expect, it } from "vitest";
import { ec2Model } from "../ec2/generated/model.js";
import type { AwsModel } from "./model.js";
import { parseQueryForm } from "./query-parse.js";

// A query-flavour model as ELBv2's and IAM's look: member lists, a flattened list, a map.
const queryModel: AwsModel = {
  metadata: { apiVersion: "2015-12-01", protocol: "query", serviceId: "Test" },
  operations: { Op: { input: "OpInput" } },
  shapes: {
    OpInput: {
      type: "structure",
      members: {
        Names: { shape: "Names" },
        Flat: { shape: "FlatList" },
        Attrs: { shape: "Attrs" },
        Count: { shape: "Int" },
        On: { shape: "Bool" },
        Ratio: { shape: "Dbl" },
        Renamed: { shape: "Str", locationName: "Other" },
      },
    },
    Names: { type: "list", member: { shape: "Str" } },
    FlatList: { type: "list", member: { shape: "Str", locationName: "Item" }, flattened: true },
    Attrs: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
    Str: { type: "string" },
    Int: { type: "integer" },
    Bool: { type: "boolean" },
    Dbl: { type: "double" },
  },
};

const form = (s: string) => new URLSearchParams(s);

describe("parseQueryForm, ec2 flavour (the vendored EC2 model)", () => {
  it.each([
    // filters: lists as Name.N, members by capitalised locationName (Filter, Value)
    [
      "DescribeSubnetsRequest",
      "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-a&Filter.1.Value.2=vpc-b&SubnetId.1=subnet-1",
      { Filters: [{ Name: "vpc-id", Values: ["vpc-a", "vpc-b"] }], SubnetIds: ["subnet-1"] },
    ],
    // nested structures with integers, locationName ipRanges -> IpRanges, groups -> Groups
    [
      "AuthorizeSecurityGroupIngressRequest",
      "GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80&IpPermissions.1.ToPort=81&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.Groups.1.GroupId=sg-2",
      { GroupId: "sg-1", IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 81, IpRanges: [{ CidrIp: "10.0.0.0/8" }], UserIdGroupPairs: [{ GroupId: "sg-2" }] }] },
    ],
    // booleans by locationName dryRun -> DryRun; the description member's locationName GroupDescription
    ["CreateSecurityGroupRequest", "GroupName=web&GroupDescription=d&DryRun=true", { GroupName: "web", Description: "d", DryRun: true }],
    // tag specifications: TagSpecification.N.Tag.M
    [
      "CreateSubnetRequest",
      "VpcId=vpc-1&TagSpecification.1.ResourceType=subnet&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=a",
      { VpcId: "vpc-1", TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "Name", Value: "a" }] }] },
    ],
    // items numbered out of order and with gaps keep their order by number
    ["DescribeVpcsRequest", "VpcId.10=vpc-c&VpcId.2=vpc-b&VpcId.1=vpc-a", { VpcIds: ["vpc-a", "vpc-b", "vpc-c"] }],
    // a value that is not an integer stays a string, for the validator to name
    ["DescribeVpcsRequest", "MaxResults=ten", { MaxResults: "ten" }],
  ])("%s: %s", (shape, body, want) => {
    const r = parseQueryForm(ec2Model, shape, form(body), "ec2");
    expect(r.input).toEqual(want);
    expect(r.unused).toEqual([]);
  });

  it("reports parameters no member takes", () => {
    expect(parseQueryForm(ec2Model, "DescribeVpcsRequest", form("VpcId.1=a&Bogus=1&VpcIds.member.1=b"), "ec2").unused).toEqual(["Bogus", "VpcIds.member.1"]);
  });
});

describe("parseQueryForm, query flavour", () => {
  it.each([
    // lists as Name.member.N
    ["Names.member.1=a&Names.member.2=b", { Names: ["a", "b"] }],
    // an empty list is the bare name
    ["Names=", { Names: [] }],
    // a flattened list is named by its member's locationName
    ["Item.1=x&Item.2=y", { Flat: ["x", "y"] }],
    // maps as Name.entry.N.key / .value
    ["Attrs.entry.1.key=k1&Attrs.entry.1.value=v1&Attrs.entry.2.key=k2&Attrs.entry.2.value=v2", { Attrs: { k1: "v1", k2: "v2" } }],
    // scalars: integer, boolean, double; locationName as is (not capitalised)
    ["Count=-3&On=false&Ratio=0.5&Other=z", { Count: -3, On: false, Ratio: 0.5, Renamed: "z" }],
    // values that do not read as their type stay strings
    ["Count=1.5&On=yes&Ratio=", { Count: "1.5", On: "yes", Ratio: "" }],
  ])("%s", (body, want) => {
    const r = parseQueryForm(queryModel, "OpInput", form(`Action=Op&Version=2015-12-01&${body}`), "query");
    expect(r.input).toEqual(want);
    expect(r.unused).toEqual([]);
  });

  it("ends on a recursive shape, descending only where the form has keys", () => {
    const recursive: AwsModel = {
      ...queryModel,
      shapes: { Node: { type: "structure", members: { Name: { shape: "Str" }, Child: { shape: "Node" } } }, Str: { type: "string" } },
    };
    expect(parseQueryForm(recursive, "Node", form("Name=a&Child.Name=b&Child.Child.Name=c"), "query").input).toEqual({ Name: "a", Child: { Name: "b", Child: { Name: "c" } } });
  });

  it("does not read EC2's list spelling in the query flavour", () => {
    expect(parseQueryForm(queryModel, "OpInput", form("Names.1=a"), "query")).toEqual({ input: {}, unused: ["Names.1"] });
  });

  it("reads thousands of list members in order, and keys sharing a prefix stay apart", () => {
    const n = 3000;
    const body = Array.from({ length: n }, (_, i) => `Names.member.${i + 1}=t${i + 1}`).join("&");
    // `Names.member.1` must not take `Names.member.10`'s keys, nor `Item` those of `Items`.
    const r = parseQueryForm(queryModel, "OpInput", form(`${body}&Item.1=x&Items.1=bogus`), "query");
    expect(r.input.Names).toEqual(Array.from({ length: n }, (_, i) => `t${i + 1}`));
    expect(r.input.Flat).toEqual(["x"]);
    expect(r.unused).toEqual(["Items.1"]);
  });
});
