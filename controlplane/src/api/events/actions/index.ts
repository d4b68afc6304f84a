import { ValidationException } from "@berth/shared";
import {
  checkRuleName,
  deleteEventRule,
  eventBusOf,
  getEventRule,
  listAllEventRules,
  putEventRule,
  putRuleTargets,
  removeRuleTargets,
  setEventRuleState,
  type CoreContext,
} from "../../../core/index.js";
import type { EventRuleRecord } from "../../../store/index.js";
import { offsetPage } from "../../aws/pages.js";

type Input = Record<string, any>;

/** DescribeRule's output and ListRules' Rule (Describe adds CreatedBy). */
function ruleShape(r: EventRuleRecord): Record<string, unknown> {
  return {
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.eventBusName,
  };
}

/** The rule a request names, on the one bus berth has. */
function ruleName(input: Input, field: "Name" | "Rule"): string {
  eventBusOf(input.EventBusName);
  checkRuleName(input[field], field);
  return input[field];
}

/**
 * The EventBridge rule operations berth serves: scheduled rules with ECS targets. PutRule
 * creates or updates; PutTargets answers per-target failures in FailedEntries.
 */
export const eventsActions: Record<string, (ctx: CoreContext, input: Input) => Promise<object>> = {
  async PutRule(ctx, input) {
    const rec = await putEventRule(ctx, {
      name: ruleName(input, "Name"),
      scheduleExpression: input.ScheduleExpression,
      eventPattern: input.EventPattern,
      state: input.State,
      description: input.Description,
      roleArn: input.RoleArn,
    });
    return { RuleArn: rec.arn };
  },

  async DescribeRule(ctx, input) {
    const r = await getEventRule(ctx, ruleName(input, "Name"));
    return { ...ruleShape(r), CreatedBy: ctx.scope.account };
  },

  async ListRules(ctx, input) {
    eventBusOf(input.EventBusName);
    const all = (await listAllEventRules(ctx)).filter((r) => input.NamePrefix === undefined || r.name.startsWith(input.NamePrefix));
    const { page, nextToken } = offsetPage(all, input.Limit, input.NextToken, (m) => new ValidationException(m));
    return { Rules: page.map(ruleShape), NextToken: nextToken };
  },

  async EnableRule(ctx, input) {
    await setEventRuleState(ctx, ruleName(input, "Name"), "ENABLED");
    return {};
  },

  async DisableRule(ctx, input) {
    await setEventRuleState(ctx, ruleName(input, "Name"), "DISABLED");
    return {};
  },

  async DeleteRule(ctx, input) {
    await deleteEventRule(ctx, ruleName(input, "Name"));
    return {};
  },

  async PutTargets(ctx, input) {
    const failed = await putRuleTargets(ctx, ruleName(input, "Rule"), input.Targets);
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  },

  async ListTargetsByRule(ctx, input) {
    const r = await getEventRule(ctx, ruleName(input, "Rule"));
    const { page, nextToken } = offsetPage(r.targets, input.Limit, input.NextToken, (m) => new ValidationException(m));
    return { Targets: page.map((t) => t.raw), NextToken: nextToken };
  },

  async RemoveTargets(ctx, input) {
    await removeRuleTargets(ctx, ruleName(input, "Rule"), input.Ids);
    return { FailedEntryCount: 0, FailedEntries: [] };
  },
};
