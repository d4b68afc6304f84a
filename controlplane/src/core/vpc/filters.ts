import { Ec2InvalidParameterValue, type Tag } from "@berth/shared";

/** One EC2 `Filter.N`: a name and the values any of which may match. */
export interface Ec2Filter {
  Name?: string;
  Values?: string[];
}

/** For each filter name a resource supports, the values it has under that name. */
export type FilterFields<T> = Record<string, (item: T) => readonly (string | undefined)[]>;

/** EC2's filter wildcards: `*` any run, `?` one character; everything else literal. */
function globMatches(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s").test(value);
}

/** The values of `tag:<key>` (a tag's value) and `tag-key` filters over a resource's tags. */
function tagValues(name: string, tags: readonly Tag[]): readonly (string | undefined)[] | undefined {
  if (name === "tag-key") return tags.map((t) => t.key);
  if (name === "tag-value") return tags.map((t) => t.value);
  if (name.startsWith("tag:")) return tags.filter((t) => t.key === name.slice(4)).map((t) => t.value);
  return undefined;
}

/**
 * The items every filter matches (filters AND, a filter's values OR, as EC2 applies them).
 * `tag:<key>`, `tag-key` and `tag-value` work on every resource with `tagsOf`; any other name the
 * resource does not support is EC2's InvalidParameterValue. Pure.
 */
export function applyFilters<T>(items: readonly T[], filters: readonly Ec2Filter[] | undefined, fields: FilterFields<T>, tagsOf: (item: T) => readonly Tag[]): T[] {
  const checks = (filters ?? []).map((f) => {
    const name = f.Name ?? "";
    const values = f.Values ?? [];
    const field = fields[name];
    if (!field && tagValues(name, []) === undefined) throw new Ec2InvalidParameterValue(`The filter '${name}' is invalid`);
    return (item: T) => {
      const have = field ? field(item) : tagValues(name, tagsOf(item))!;
      return values.some((want) => have.some((v) => v !== undefined && globMatches(want, v)));
    };
  });
  return items.filter((item) => checks.every((c) => c(item)));
}
