import { InvalidNextToken, ParameterNotFound, ParameterVersionNotFound, SsmValidationException } from "@berth/shared";

/** SSM's Tag shape (capitalised, unlike ECS's). */
type Tag = { Key?: string; Value?: string };
import {
  byPathFilterKeys,
  checkPath,
  deleteParameter,
  describeFilterKeys,
  isUnderPath,
  legacyFilters,
  listParameterRecords,
  pageOfList,
  parameterArn,
  parameterMatches,
  parameterValue,
  putParameter,
  selectParameter,
  type CoreContext,
  type ParameterFilter,
} from "../../../core/index.js";
import type { ParameterRecord, ParameterVersionRecord } from "../../../store/index.js";

// JSON 1.1 timestamps are epoch seconds.
const seconds = (ms: number) => ms / 1000;
const badToken = () => new InvalidNextToken("The specified token isn't valid.");

/** GetParameter's Parameter. */
function parameterShape(ctx: CoreContext, rec: ParameterRecord, v: ParameterVersionRecord, decrypt: boolean, selector?: string): object {
  return {
    Name: rec.name,
    Type: v.type,
    Value: parameterValue(ctx, rec, v, decrypt),
    Version: v.version,
    ...(selector !== undefined && { Selector: selector }),
    LastModifiedDate: seconds(v.modifiedMs),
    ARN: parameterArn(ctx.scope, rec.name),
    DataType: rec.dataType,
  };
}

/** DescribeParameters' ParameterMetadata. */
function metadataShape(ctx: CoreContext, rec: ParameterRecord): object {
  const v = rec.versions[rec.versions.length - 1];
  return {
    Name: rec.name,
    ARN: parameterArn(ctx.scope, rec.name),
    Type: v.type,
    ...(v.keyId !== undefined && { KeyId: v.keyId }),
    LastModifiedDate: seconds(v.modifiedMs),
    LastModifiedUser: `arn:aws:iam::${ctx.scope.account}:root`,
    ...(v.description !== undefined && { Description: v.description }),
    ...(v.allowedPattern !== undefined && { AllowedPattern: v.allowedPattern }),
    Version: v.version,
    Tier: rec.tier,
    Policies: [],
    DataType: rec.dataType,
  };
}

/** PutParameter. */
export async function putParameterAction(
  ctx: CoreContext,
  input: { Name: string; Value: string; Type?: ParameterVersionRecord["type"]; Overwrite?: boolean; Description?: string; KeyId?: string; AllowedPattern?: string; Tags?: Tag[]; Tier?: ParameterRecord["tier"]; DataType?: string },
): Promise<object> {
  if (input.DataType !== undefined && input.DataType !== "text") {
    throw new SsmValidationException(`DataType: berth stores only text parameters, not ${input.DataType}`);
  }
  const rec = await putParameter(ctx, {
    name: input.Name,
    value: input.Value,
    type: input.Type,
    overwrite: input.Overwrite === true,
    description: input.Description,
    keyId: input.KeyId,
    allowedPattern: input.AllowedPattern,
    tags: input.Tags?.map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
    tier: input.Tier === "Intelligent-Tiering" ? "Standard" : input.Tier,
    dataType: input.DataType,
  });
  return { Version: rec.versions[rec.versions.length - 1].version, Tier: rec.tier };
}

/** GetParameter: `name`, `name:version` or `name:label`; SecureStrings opened WithDecryption. */
export async function getParameterAction(ctx: CoreContext, input: { Name: string; WithDecryption?: boolean }): Promise<object> {
  const { rec, version, sel } = await selectParameter(ctx, input.Name);
  return { Parameter: parameterShape(ctx, rec, version, input.WithDecryption === true, sel.selector) };
}

/** GetParameters: the ones found, and the names not found in InvalidParameters. */
export async function getParametersAction(ctx: CoreContext, input: { Names: string[]; WithDecryption?: boolean }): Promise<object> {
  const found: object[] = [];
  const invalid: string[] = [];
  for (const name of input.Names) {
    try {
      const { rec, version, sel } = await selectParameter(ctx, name);
      found.push(parameterShape(ctx, rec, version, input.WithDecryption === true, sel.selector));
    } catch (err) {
      if (!(err instanceof ParameterNotFound) && !(err instanceof ParameterVersionNotFound) && !(err instanceof SsmValidationException)) throw err;
      invalid.push(name);
    }
  }
  return { Parameters: found, InvalidParameters: invalid };
}

/** GetParametersByPath: direct children, or all descendants when Recursive; paged by 10. */
export async function getParametersByPathAction(
  ctx: CoreContext,
  input: { Path: string; Recursive?: boolean; ParameterFilters?: ParameterFilter[]; WithDecryption?: boolean; MaxResults?: number; NextToken?: string },
): Promise<object> {
  checkPath(input.Path);
  const base = input.Path.endsWith("/") ? input.Path : `${input.Path}/`;
  const all = (await listParameterRecords(ctx, base))
    .filter((r) => isUnderPath(r.name, input.Path, input.Recursive === true))
    .filter((r) => parameterMatches(r, input.ParameterFilters ?? [], byPathFilterKeys));
  const { page, nextToken } = pageOfList(all, input.MaxResults ?? 10, input.NextToken, badToken);
  return {
    Parameters: page.map((r) => parameterShape(ctx, r, r.versions[r.versions.length - 1], input.WithDecryption === true)),
    ...(nextToken && { NextToken: nextToken }),
  };
}

/** GetParameterHistory: every version kept, oldest first, paged by 50. */
export async function getParameterHistoryAction(ctx: CoreContext, input: { Name: string; WithDecryption?: boolean; MaxResults?: number; NextToken?: string }): Promise<object> {
  const { rec } = await selectParameter(ctx, input.Name);
  const { page, nextToken } = pageOfList(rec.versions, input.MaxResults ?? 50, input.NextToken, badToken);
  return {
    Parameters: page.map((v) => ({
      Name: rec.name,
      Type: v.type,
      ...(v.keyId !== undefined && { KeyId: v.keyId }),
      LastModifiedDate: seconds(v.modifiedMs),
      LastModifiedUser: `arn:aws:iam::${ctx.scope.account}:root`,
      ...(v.description !== undefined && { Description: v.description }),
      Value: parameterValue(ctx, rec, v, input.WithDecryption === true),
      ...(v.allowedPattern !== undefined && { AllowedPattern: v.allowedPattern }),
      Version: v.version,
      Labels: v.labels,
      Tier: rec.tier,
      Policies: [],
      DataType: rec.dataType,
    })),
    ...(nextToken && { NextToken: nextToken }),
  };
}

/** DeleteParameter. */
export async function deleteParameterAction(ctx: CoreContext, input: { Name: string }): Promise<object> {
  if (!(await deleteParameter(ctx, input.Name))) throw new ParameterNotFound(`Parameter ${input.Name} not found.`);
  return {};
}

/** DeleteParameters: those deleted, and the names there were none of. */
export async function deleteParametersAction(ctx: CoreContext, input: { Names: string[] }): Promise<object> {
  const deleted: string[] = [];
  const invalid: string[] = [];
  for (const name of input.Names) ((await deleteParameter(ctx, name)) ? deleted : invalid).push(name);
  return { DeletedParameters: deleted, InvalidParameters: invalid };
}

/** DescribeParameters: Filters (legacy) or ParameterFilters, never both; paged by 50. */
export async function describeParametersAction(
  ctx: CoreContext,
  input: { Filters?: { Key: string; Values: string[] }[]; ParameterFilters?: ParameterFilter[]; MaxResults?: number; NextToken?: string },
): Promise<object> {
  if (input.Filters?.length && input.ParameterFilters?.length) {
    throw new SsmValidationException("You can use either Filters or ParameterFilters in a single request.");
  }
  const filters = input.ParameterFilters ?? legacyFilters(input.Filters ?? []);
  const all = (await listParameterRecords(ctx)).filter((r) => parameterMatches(r, filters, describeFilterKeys));
  const { page, nextToken } = pageOfList(all, input.MaxResults ?? 50, input.NextToken, badToken);
  return { Parameters: page.map((r) => metadataShape(ctx, r)), ...(nextToken && { NextToken: nextToken }) };
}
