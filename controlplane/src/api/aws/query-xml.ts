import { XMLBuilder } from "fast-xml-parser";
import type { AwsModel, AwsShape, AwsShapeRef } from "./model.js";
import type { QueryFlavour } from "./query-parse.js";

/** An XML element tree as fast-xml-parser's builder takes it: `@_` attributes, arrays repeat. */
export type XmlNode = string | XmlElement;

/** An element's attributes and children by name. */
export interface XmlElement {
  [name: string]: XmlNode | XmlNode[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false });

/** An element tree as XML text, with the declaration AWS's Query services send. */
export function buildXml(root: Record<string, XmlNode>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(root) as string}`;
}

/**
 * The children of a response element for `value` of shape `shapeName`, driven by the model as
 * botocore's XML parsers read it: members named by `locationName` (else the member name), lists
 * as `<member>` elements (`<item>` where the model says so, as EC2's does) or repeated when
 * flattened, maps as `<entry><key/><value/></entry>`, booleans `true`/`false`, timestamps ISO 8601.
 * Members absent or undefined in `value` are left out. Pure.
 */
export function serializeXml(model: AwsModel, shapeName: string, value: Record<string, unknown>, flavour: QueryFlavour): Record<string, XmlNode | XmlNode[]> {
  const node = writeStructure(model, model.shapes[shapeName], value, flavour);
  return typeof node === "string" ? {} : node;
}

function write(model: AwsModel, shape: AwsShape, value: unknown, flavour: QueryFlavour): XmlNode {
  switch (shape.type) {
    case "structure":
      return writeStructure(model, shape, value as Record<string, unknown>, flavour);
    case "list": {
      const items = (value as unknown[]).map((v) => write(model, model.shapes[shape.member!.shape], v, flavour));
      return items.length === 0 ? "" : { [shape.member?.locationName ?? "member"]: items };
    }
    case "map": {
      const keyName = shape.key?.locationName ?? "key";
      const valueName = shape.value?.locationName ?? "value";
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => ({
        [keyName]: k,
        [valueName]: write(model, model.shapes[shape.value!.shape], v, flavour),
      }));
      return entries.length === 0 ? "" : { entry: entries };
    }
    case "timestamp":
      return value instanceof Date ? value.toISOString() : typeof value === "number" ? new Date(value).toISOString() : String(value);
    default:
      return String(value);
  }
}

function writeStructure(model: AwsModel, shape: AwsShape, value: Record<string, unknown>, flavour: QueryFlavour): { [name: string]: XmlNode | XmlNode[] } {
  const out: { [name: string]: XmlNode | XmlNode[] } = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    const member = model.shapes[ref.shape];
    if (member.type === "list" && member.flattened) {
      // Flattened: the items repeat in place, each named for the member.
      out[elementName(ref, name)] = (v as unknown[]).map((item) => write(model, model.shapes[member.member!.shape], item, flavour));
      continue;
    }
    out[elementName(ref, name)] = write(model, member, v, flavour);
  }
  return out;
}

function elementName(ref: AwsShapeRef, memberName: string): string {
  return ref.locationName ?? memberName;
}
