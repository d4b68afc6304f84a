import type { Setting, SettingName } from "@aws-sdk/client-ecs";
import { InvalidParameterException, type ArnScope } from "@berth/shared";

/**
 * ECS account settings as pure rules: which names take which values, their defaults, who may
 * set them, and how a principal's own setting, the account default (the root user's setting)
 * and ECS's built-in default resolve to the effective one.
 *
 * berth has one account and no IAM, so every caller is the account's root user
 * (`arn:aws:iam::{account}:root`); users and roles of the account may still be named as
 * principals, and their settings override the root's as in ECS.
 */

/** What ECS allows for one setting name. */
interface SettingRule {
  values: readonly string[];
  /** ECS's value when nothing is set for the principal or the account. */
  default: string;
  type: "user" | "aws_managed";
  /** Refused by Put/Delete: AWS manages it (guardDutyActivate). */
  readOnly?: boolean;
  /** Only the root user may hold it (fargateTaskRetirementWaitPeriod). */
  rootOnly?: boolean;
  /** Only PutAccountSettingDefault changes it (fargateFIPSMode). */
  defaultOnly?: boolean;
  /** Why the allowed values are narrower than ECS's, when they are. */
  note?: string;
}

const onOff = ["enabled", "disabled"] as const;
// berth names every task, service and container instance in the long ARN format
// (task/{cluster}/{id}); the short format cannot be turned back on.
const longArn: SettingRule = { values: ["enabled"], default: "enabled", type: "user", note: "berth uses the long ARN and ID format only" };

/** Every account setting name in the ECS model, in the order ECS lists them. */
export const accountSettingRules: Record<SettingName, SettingRule> = {
  serviceLongArnFormat: longArn,
  taskLongArnFormat: longArn,
  containerInstanceLongArnFormat: longArn,
  awsvpcTrunking: { values: onOff, default: "disabled", type: "user" },
  containerInsights: { values: ["enabled", "disabled", "enhanced"], default: "disabled", type: "user" },
  fargateFIPSMode: { values: onOff, default: "disabled", type: "user", defaultOnly: true },
  tagResourceAuthorization: { values: ["on", "off"], default: "on", type: "user" },
  fargateTaskRetirementWaitPeriod: { values: ["0", "7", "14"], default: "7", type: "user", rootOnly: true },
  guardDutyActivate: { values: ["on", "off"], default: "off", type: "aws_managed", readOnly: true },
  defaultLogDriverMode: { values: ["blocking", "non-blocking"], default: "non-blocking", type: "user" },
  fargateEventWindows: { values: onOff, default: "disabled", type: "user" },
};

/** The setting names in ECS's order. */
export const accountSettingNames = Object.keys(accountSettingRules) as SettingName[];

/** The account's root user, which every caller of berth is. */
export function rootPrincipal(scope: ArnScope): string {
  return `arn:aws:iam::${scope.account}:root`;
}

/**
 * The principal a request names: omitted means the caller (the root user); otherwise the
 * root, a user or a role of this account. Federated (sts assumed-role) principals take the
 * root's settings in ECS and cannot hold their own.
 */
export function principalOf(scope: ArnScope, principalArn: string | undefined): string {
  if (principalArn === undefined) return rootPrincipal(scope);
  const m = /^arn:aws:iam::(\d{12}):(root|user\/.+|role\/.+)$/.exec(principalArn);
  if (!m) {
    throw new InvalidParameterException(
      `principalArn: '${principalArn}' is not the ARN of the root user, a user or a role (arn:aws:iam::${scope.account}:root, ...:user/NAME, ...:role/NAME); federated users take the root user's settings`,
    );
  }
  if (m[1] !== scope.account) throw new InvalidParameterException(`principalArn: '${principalArn}' is not in this account (${scope.account})`);
  return principalArn;
}

/** How a setting is being changed: PutAccountSetting, PutAccountSettingDefault or DeleteAccountSetting. */
export type SettingChange = "put" | "putDefault" | "delete";

/**
 * Refuses what ECS refuses for a change of `name` for `principal`: read-only names, values the
 * name does not take, root-only names for users and roles, default-only names outside
 * PutAccountSettingDefault. Returns the rule.
 */
export function checkSettingChange(scope: ArnScope, change: SettingChange, name: SettingName, principal: string, value?: string): SettingRule {
  const rule = accountSettingRules[name];
  if (!rule) throw new InvalidParameterException(`name: '${name}' is not an account setting (${accountSettingNames.join(", ")})`);
  if (rule.readOnly) throw new InvalidParameterException(`name: ${name} is managed by AWS and read-only`);
  if (rule.defaultOnly && change === "put") throw new InvalidParameterException(`name: ${name} can only be changed with PutAccountSettingDefault`);
  if (rule.rootOnly && principal !== rootPrincipal(scope)) {
    throw new InvalidParameterException(`principalArn: ${name} can only be set for the root user (${rootPrincipal(scope)})`);
  }
  if (change !== "delete" && !rule.values.includes(value ?? "")) {
    throw new InvalidParameterException(
      `value: ${name} takes ${rule.values.map((v) => `'${v}'`).join(", ")}, not '${value}'${rule.note ? ` (${rule.note})` : ""}`,
    );
  }
  return rule;
}

/** Settings as stored: principal ARN → setting name → value. */
export type StoredSettings = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The setting in force for `principal`: its own, else the root user's (the account default), else ECS's default. */
export function effectiveSetting(scope: ArnScope, stored: StoredSettings, principal: string, name: SettingName): Setting {
  const rule = accountSettingRules[name];
  const root = rootPrincipal(scope);
  for (const who of principal === root ? [root] : [principal, root]) {
    const value = stored.get(who)?.get(name);
    if (value !== undefined) return { name, value, principalArn: who, type: rule.type };
  }
  return { name, value: rule.default, principalArn: root, type: rule.type };
}

/** The filters of ListAccountSettings. */
export interface SettingsQuery {
  name?: SettingName;
  value?: string;
  principalArn?: string;
  effectiveSettings?: boolean;
}

/**
 * What ListAccountSettings answers, before paging, in ECS's name order: with effectiveSettings,
 * the setting in force for the principal for every name (or the one asked); without, only the
 * settings the principal holds itself. `value` keeps those with that value and needs a `name`.
 */
export function listSettings(scope: ArnScope, stored: StoredSettings, q: SettingsQuery): Setting[] {
  if (q.value !== undefined && q.name === undefined) throw new InvalidParameterException("value: a name is required to filter by value");
  const principal = principalOf(scope, q.principalArn);
  const out: Setting[] = [];
  for (const name of q.name ? [q.name] : accountSettingNames) {
    const rule = accountSettingRules[name];
    const own = stored.get(principal)?.get(name);
    const s = q.effectiveSettings ? effectiveSetting(scope, stored, principal, name) : own === undefined ? undefined : { name, value: own, principalArn: principal, type: rule.type };
    if (s && (q.value === undefined || s.value === q.value)) out.push(s);
  }
  return out;
}
