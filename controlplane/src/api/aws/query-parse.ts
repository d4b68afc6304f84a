import type { AwsModel, AwsShape, AwsShapeRef } from "./model.js";

/**
 * The two spellings of the AWS Query form: `ec2` (EC2: lists `Name.N`, members named by
 * `queryName` or their capitalised `locationName`) and `query` (ELBv2, IAM, …: lists
 * `Name.member.N` unless flattened, maps `Name.entry.N.key/value`, members by `locationName`).
 */
export type QueryFlavour = "ec2" | "query";

/** A form turned into the model's structure, and the parameters no member took. */
export interface ParsedQuery {
  input: Record<string, unknown>;
  /** Form keys (other than Action and Version) that name no member: EC2 refuses these. */
  unused: string[];
}

/** The wire name of a structure member, as botocore's serialisers spell it for the flavour. */
export function memberWireName(flavour: QueryFlavour, memberName: string, ref: AwsShapeRef): string {
  if (flavour === "ec2") {
    if (ref.queryName) return ref.queryName;
    if (ref.locationName) return ref.locationName[0].toUpperCase() + ref.locationName.slice(1);
    return memberName;
  }
  return ref.locationName ?? memberName;
}

/**
 * Parses a Query/EC2 form (the POST body or a GET's query string) into the input structure of
 * `shapeName`, walking the model as botocore's serialisers wrote it. Scalars become the model's
 * types where they read cleanly (`"5"` -> 5 for an integer, `"true"` -> true); what does not
 * read stays a string so the generated validator names the field and the type it expected.
 * Pure.
 */
export function parseQueryForm(model: AwsModel, shapeName: string, form: URLSearchParams, flavour: QueryFlavour): ParsedQuery {
  const params = new Map<string, string>();
  for (const [k, v] of form) if (k !== "Action" && k !== "Version") params.set(k, v);
  const used = new Set<string>();
  // Sorted, so the keys under one prefix are one contiguous run found by binary search: the walk
  // stays near-linear in the form's size (a RegisterTargets of thousands of targets).
  const formKeys = [...params.keys()];
  const keys = [...formKeys].sort();
  const walker = { model, flavour, params, used, keys };
  const input = (readStructure(walker, model.shapes[shapeName], "") ?? {}) as Record<string, unknown>;
  return { input, unused: formKeys.filter((k) => !used.has(k)) };
}

interface Walker {
  model: AwsModel;
  flavour: QueryFlavour;
  params: Map<string, string>;
  used: Set<string>;
  keys: string[];
}

const join = (prefix: string, name: string) => (prefix === "" ? name : `${prefix}.${name}`);

function read(w: Walker, shape: AwsShape, prefix: string): unknown {
  switch (shape.type) {
    case "structure":
      return readStructure(w, shape, prefix);
    case "list":
      return readList(w, shape, prefix);
    case "map":
      return readMap(w, shape, prefix);
    default:
      return readScalar(w, shape, prefix);
  }
}

function readStructure(w: Walker, shape: AwsShape, prefix: string): Record<string, unknown> | undefined {
  // Only descend where the form has keys: bounds the walk by the request, not the model, and
  // ends it on recursive shapes.
  if (prefix !== "" && keysUnder(w, prefix).next().done) return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const member = w.model.shapes[ref.shape];
    const value = read(w, member, join(prefix, wireNameOf(w.flavour, name, ref, member)));
    if (value !== undefined) {
      out[name] = value;
      any = true;
    }
  }
  return any || prefix === "" ? out : undefined;
}

// A flattened list in the query flavour is named by its member's locationName, as botocore's
// QuerySerializer replaces the last name segment with it.
function wireNameOf(flavour: QueryFlavour, name: string, ref: AwsShapeRef, shape: AwsShape): string {
  if (flavour === "query" && shape.type === "list" && shape.flattened && shape.member?.locationName) return shape.member.locationName;
  return memberWireName(flavour, name, ref);
}

/** The form's keys that start with `prefix.`, from the sorted key list. */
function* keysUnder(w: Walker, prefix: string): Generator<string> {
  const start = `${prefix}.`;
  let lo = 0;
  let hi = w.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w.keys[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < w.keys.length && w.keys[i].startsWith(start); i++) yield w.keys[i];
}

/** The distinct numeric segments after `prefix.` among the form's keys, ascending. */
function indicesUnder(w: Walker, prefix: string): number[] {
  const found = new Set<number>();
  const start = `${prefix}.`;
  for (const k of keysUnder(w, prefix)) {
    const seg = k.slice(start.length).split(".", 1)[0];
    if (/^[1-9][0-9]*$/.test(seg)) found.add(Number(seg));
  }
  return [...found].sort((a, b) => a - b);
}

function readList(w: Walker, shape: AwsShape, prefix: string): unknown[] | undefined {
  // An empty list is sent as the bare name with an empty value.
  if (w.params.get(prefix) === "") {
    w.used.add(prefix);
    return [];
  }
  const itemsPrefix = w.flavour === "ec2" || shape.flattened ? prefix : `${prefix}.${shape.member?.locationName ?? "member"}`;
  const member = w.model.shapes[shape.member!.shape];
  const out: unknown[] = [];
  for (const i of indicesUnder(w, itemsPrefix)) {
    const v = read(w, member, `${itemsPrefix}.${i}`);
    if (v !== undefined) out.push(v);
  }
  return out.length > 0 ? out : undefined;
}

function readMap(w: Walker, shape: AwsShape, prefix: string): Record<string, unknown> | undefined {
  const entries = shape.flattened ? prefix : `${prefix}.entry`;
  const keyName = shape.key?.locationName ?? "key";
  const valueName = shape.value?.locationName ?? "value";
  const out: Record<string, unknown> = {};
  let any = false;
  for (const i of indicesUnder(w, entries)) {
    const k = readScalar(w, { type: "string" }, `${entries}.${i}.${keyName}`);
    const v = read(w, w.model.shapes[shape.value!.shape], `${entries}.${i}.${valueName}`);
    if (typeof k === "string" && v !== undefined) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

function readScalar(w: Walker, shape: AwsShape, key: string): unknown {
  const raw = w.params.get(key);
  if (raw === undefined) return undefined;
  w.used.add(key);
  switch (shape.type) {
    case "integer":
    case "long":
      return /^-?[0-9]+$/.test(raw) ? Number(raw) : raw;
    case "double":
    case "float":
      return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    default:
      return raw;
  }
}
