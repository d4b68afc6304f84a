/**
 * Parameter Store's rules as pure functions: names and their hierarchy, ARNs, `name:version` and
 * `name:label` selectors, which parameters a path holds, and DescribeParameters' filters.
 */
import { HierarchyLevelLimitExceededException, InvalidFilterKey, SsmValidationException, type ArnScope } from "@berth/shared";
import type { ParameterRecord, ParameterVersionRecord } from "../../store/index.js";

/** Versions a parameter keeps; the oldest goes when a new one would exceed it. */
export const maxParameterVersions = 100;
/** Levels a name may have (`/a/b/c` has three). */
export const maxHierarchyLevels = 15;

/**
 * Checks a parameter name as SSM does: letters, digits and `_.-/`; a name with `/` must be fully
 * qualified (start with `/`); no empty level; not prefixed `aws` or `ssm`; at most 15 levels.
 */
export function checkParameterName(name: string): void {
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    throw new SsmValidationException(`Parameter name: can't contain characters other than a-z, A-Z, 0-9, _ . - and /: '${name}'`);
  }
  if (name.includes("/") && !name.startsWith("/")) throw new SsmValidationException(`Parameter name must be a fully qualified name: '${name}'`);
  if (name.includes("//") || (name.length > 1 && name.endsWith("/"))) throw new SsmValidationException(`Parameter name: '${name}' has an empty level`);
  const first = name.replace(/^\//, "").toLowerCase();
  if (first.startsWith("aws") || first.startsWith("ssm")) {
    throw new SsmValidationException(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive): '${name}'`);
  }
  if (levelsOf(name) > maxHierarchyLevels) {
    throw new HierarchyLevelLimitExceededException(`Parameter name ${name} has more than ${maxHierarchyLevels} hierarchy levels.`);
  }
}

function levelsOf(name: string): number {
  return name.replace(/^\//, "").split("/").length;
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export function parameterArn(scope: ArnScope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.account}:parameter/${name.replace(/^\//, "")}`;
}

/**
 * The names an SSM reference may mean: a name, or a parameter ARN (whose `parameter/a` is `a`
 * or `/a`, and `parameter/a/b` is `/a/b`).
 */
export function parameterNameCandidates(ref: string): string[] {
  const m = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\/(.+)$/.exec(ref);
  if (!m) return [ref];
  return m[1].includes("/") ? [`/${m[1]}`] : [m[1], `/${m[1]}`];
}

/** A GetParameter name split into the name and its `:version` or `:label` selector. */
export interface ParameterSelector {
  name: string;
  version?: number;
  label?: string;
  /** The selector as given (`:3`, `:prod`), echoed in Parameter.Selector. */
  selector?: string;
}

/** `name`, `name:3` or `name:label`. */
export function parseSelector(ref: string): ParameterSelector {
  const i = ref.lastIndexOf(":");
  // An ARN's own colons come before `parameter/`; only a colon after it selects.
  if (i < 0 || i < ref.indexOf("parameter/")) return { name: ref };
  const name = ref.slice(0, i);
  const sel = ref.slice(i + 1);
  if (sel === "") throw new SsmValidationException(`Parameter name: '${ref}' has an empty version or label after ':'`);
  return /^\d+$/.test(sel) ? { name, version: Number(sel), selector: `:${sel}` } : { name, label: sel, selector: `:${sel}` };
}

/** The version a selector names, or undefined when there is none. */
export function pickParameterVersion(rec: ParameterRecord, sel: ParameterSelector): ParameterVersionRecord | undefined {
  if (sel.version !== undefined) return rec.versions.find((v) => v.version === sel.version);
  if (sel.label !== undefined) return rec.versions.find((v) => v.labels.includes(sel.label!));
  return rec.versions[rec.versions.length - 1];
}

/** The history with `added` last, at most {@link maxParameterVersions} versions. */
export function appendParameterVersion(versions: readonly ParameterVersionRecord[], added: ParameterVersionRecord): ParameterVersionRecord[] {
  const next = [...versions, added];
  return next.slice(Math.max(0, next.length - maxParameterVersions));
}

/**
 * Whether parameter `name` is under `path` (which starts with `/`): a direct child, or any
 * descendant when `recursive`.
 */
export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  const base = path.endsWith("/") ? path : `${path}/`;
  if (!name.startsWith(base) || name.length === base.length) return false;
  return recursive || !name.slice(base.length).includes("/");
}

/** Checks GetParametersByPath's path: fully qualified, at most 15 levels. */
export function checkPath(path: string): void {
  if (!path.startsWith("/")) throw new SsmValidationException(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". Path: '${path}'`);
  if (path !== "/" && levelsOf(path.replace(/\/$/, "")) > maxHierarchyLevels) {
    throw new HierarchyLevelLimitExceededException(`Path ${path} has more than ${maxHierarchyLevels} hierarchy levels.`);
  }
}

/** One ParameterStringFilter of DescribeParameters / GetParametersByPath. */
export interface ParameterFilter {
  Key: string;
  Option?: string;
  Values?: string[];
}

/** The filter keys DescribeParameters accepts (besides `tag:<key>`). */
export const describeFilterKeys = ["Name", "Type", "KeyId", "Path", "Tier", "DataType", "Label"];
/** The filter keys GetParametersByPath accepts (besides `tag:<key>`). */
export const byPathFilterKeys = ["Type", "KeyId", "Label", "Tier", "DataType"];

/** Whether a parameter passes every filter; unknown keys and options are refused as SSM does. */
export function parameterMatches(rec: ParameterRecord, filters: readonly ParameterFilter[], allowed: readonly string[]): boolean {
  const cur = rec.versions[rec.versions.length - 1];
  return filters.every((f) => {
    const tagKey = f.Key.startsWith("tag:") ? f.Key.slice(4) : undefined;
    if (tagKey === undefined && !allowed.includes(f.Key)) throw new InvalidFilterKey(`The following filter key is not valid: ${f.Key}. Valid filter keys include: [${allowed.join(", ")}].`);
    const values = f.Values ?? [];
    const option = f.Option ?? (f.Key === "Path" ? "OneLevel" : "Equals");
    if (tagKey !== undefined) {
      const tag = rec.tags.find((t) => t.Key === tagKey);
      return tag !== undefined && (values.length === 0 || values.includes(tag.Value));
    }
    switch (f.Key) {
      case "Path":
        if (option !== "OneLevel" && option !== "Recursive") throw new SsmValidationException(`The following filter option is not valid: ${option}. Valid options include: [Recursive, OneLevel].`);
        return values.some((p) => isUnderPath(rec.name, p, option === "Recursive"));
      case "Name":
        return matchOption(rec.name, values, option, ["Equals", "BeginsWith", "Contains"]);
      case "Type":
        return matchOption(cur.type, values, option, ["Equals"]);
      case "KeyId":
        return matchOption(cur.keyId ?? "", values, option, ["Equals"]);
      case "Tier":
        return matchOption(rec.tier, values, option, ["Equals"]);
      case "DataType":
        return matchOption(rec.dataType, values, option, ["Equals"]);
      case "Label":
        return rec.versions.some((v) => v.labels.some((l) => values.includes(l)));
      default:
        return true;
    }
  });
}

function matchOption(field: string, values: readonly string[], option: string, options: readonly string[]): boolean {
  if (!options.includes(option)) throw new SsmValidationException(`The following filter option is not valid: ${option}. Valid options include: [${options.join(", ")}].`);
  if (option === "BeginsWith") return values.some((v) => field.startsWith(v));
  if (option === "Contains") return values.some((v) => field.includes(v));
  return values.includes(field);
}

/** The legacy Filters of DescribeParameters (Key Name/Type/KeyId, Values) as ParameterFilters. */
export function legacyFilters(filters: readonly { Key: string; Values: string[] }[]): ParameterFilter[] {
  return filters.map((f) => (f.Key === "Name" ? { Key: "Name", Option: "BeginsWith", Values: f.Values } : { Key: f.Key, Option: "Equals", Values: f.Values }));
}

/** A page of a sorted list: the token is the offset of the next item, opaque to clients. */
export function pageOfList<T>(items: readonly T[], max: number, token: string | undefined, invalid: () => Error): { page: T[]; nextToken?: string } {
  const from = token === undefined ? 0 : Number(/^p(\d{1,9})$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(from) || from > items.length) throw invalid();
  const page = items.slice(from, from + max);
  return from + max < items.length ? { page, nextToken: `p${from + max}` } : { page };
}
