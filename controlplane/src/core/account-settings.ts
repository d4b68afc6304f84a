import type { Setting, SettingName } from "@aws-sdk/client-ecs";
import { ConflictError } from "@berth/shared";
import { keys } from "../store/index.js";
import { checkSettingChange, effectiveSetting, listSettings, principalOf, rootPrincipal, type SettingsQuery, type StoredSettings } from "./account-setting-rules.js";
import type { CoreContext } from "./context.js";

export { accountSettingNames, accountSettingRules, rootPrincipal, type SettingsQuery } from "./account-setting-rules.js";

/**
 * The stored settings of `principal` and of the root user (whose are the account defaults), by
 * principal then name: all that decides what is in force for `principal`. Only their two key
 * prefixes are read, so the cost does not grow with how many principals hold settings.
 */
async function readSettings(ctx: CoreContext, principal: string): Promise<StoredSettings> {
  const out = new Map<string, Map<string, string>>();
  for (const p of new Set([principal, rootPrincipal(ctx.scope)])) {
    for (const { value: r } of (await ctx.store.accountSettings.list(keys.accountSetting(p, ""))).items) {
      const mine = out.get(r.principalArn) ?? new Map<string, string>();
      mine.set(r.name, r.value);
      out.set(r.principalArn, mine);
    }
  }
  return out;
}

/** Writes one principal's setting, creating or replacing it; re-reads on a lost race. */
async function storeSetting(ctx: CoreContext, principalArn: string, name: SettingName, value: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const cur = await ctx.store.accountSettings.get(principalArn, name);
    if (cur?.value.value === value) return;
    const rec = { principalArn, name, value, updatedAt: ctx.now() };
    try {
      if (cur) await ctx.store.accountSettings.update(rec, cur.modRevision);
      else await ctx.store.accountSettings.create(rec);
      ctx.log.info("account setting changed", { principalArn, name, from: cur?.value.value, to: value });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 7) throw err;
    }
  }
}

/**
 * PutAccountSetting: sets `name` for the principal (omitted: the caller, the root user, whose
 * setting is the account default). Answers with the setting as stored.
 */
export async function putAccountSetting(ctx: CoreContext, name: SettingName, value: string, principalArn?: string): Promise<Setting> {
  const principal = principalOf(ctx.scope, principalArn);
  const rule = checkSettingChange(ctx.scope, "put", name, principal, value);
  await storeSetting(ctx, principal, name, value);
  return { name, value, principalArn: principal, type: rule.type };
}

/** PutAccountSettingDefault: sets `name` for every principal that holds no setting of its own (the root user's). */
export async function putAccountSettingDefault(ctx: CoreContext, name: SettingName, value: string): Promise<Setting> {
  const root = rootPrincipal(ctx.scope);
  const rule = checkSettingChange(ctx.scope, "putDefault", name, root, value);
  await storeSetting(ctx, root, name, value);
  return { name, value, principalArn: root, type: rule.type };
}

/**
 * DeleteAccountSetting: removes the principal's own setting of `name` (deleting one it does not
 * hold changes nothing) and answers with the setting now in force for it: the root user's, or
 * ECS's default.
 */
export async function deleteAccountSetting(ctx: CoreContext, name: SettingName, principalArn?: string): Promise<Setting> {
  const principal = principalOf(ctx.scope, principalArn);
  checkSettingChange(ctx.scope, "delete", name, principal);
  for (let attempt = 0; ; attempt++) {
    const cur = await ctx.store.accountSettings.get(principal, name);
    if (!cur) break;
    try {
      await ctx.store.accountSettings.delete(cur.value, cur.modRevision);
      ctx.log.info("account setting deleted", { principalArn: principal, name, from: cur.value.value });
      break;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 7) throw err;
    }
  }
  return { ...effectiveSetting(ctx.scope, await readSettings(ctx, principal), principal, name), principalArn: principal };
}

/** ListAccountSettings before paging: see {@link listSettings} for what each filter does. */
export async function listAccountSettings(ctx: CoreContext, q: SettingsQuery): Promise<Setting[]> {
  return listSettings(ctx.scope, await readSettings(ctx, principalOf(ctx.scope, q.principalArn)), q);
}

/** The value of `name` in force for the caller (the root user): what new clusters default from. */
export async function accountSettingValue(ctx: CoreContext, name: SettingName): Promise<string> {
  return effectiveSetting(ctx.scope, await readSettings(ctx, rootPrincipal(ctx.scope)), rootPrincipal(ctx.scope), name).value!;
}
