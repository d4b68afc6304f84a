import { Ec2InvalidParameterValue, type Tag } from "@berth/shared";

/** EC2's TagSpecification input: tags for one resource type. */
export interface TagSpecificationInput {
  ResourceType?: string;
  Tags?: { Key?: string; Value?: string }[];
}

/**
 * The tags a create call's TagSpecifications give the resource of `resourceType` (`subnet`,
 * `security-group`), in berth's stored form; a specification for another type is refused as EC2
 * refuses it, as are keys over 128 or values over 256 characters and the reserved `aws:` prefix.
 */
export function tagsFromSpecifications(specs: readonly TagSpecificationInput[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== resourceType) {
      throw new Ec2InvalidParameterValue(`'${spec.ResourceType ?? ""}' is not a valid taggable resource type for this operation.`);
    }
    for (const t of spec.Tags ?? []) {
      const key = t.Key ?? "";
      if (key === "" || key.length > 128) throw new Ec2InvalidParameterValue(`Tag keys must be 1 to 128 characters, got '${key}'.`);
      if (key.toLowerCase().startsWith("aws:")) throw new Ec2InvalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use: '${key}'.`);
      if ((t.Value ?? "").length > 256) throw new Ec2InvalidParameterValue(`The value of tag '${key}' is longer than 256 characters.`);
      tags.push({ key, value: t.Value ?? "" });
    }
  }
  return tags;
}
