import type {
  DeleteAccountSettingRequest,
  ListAccountSettingsRequest,
  PutAccountSettingDefaultRequest,
  PutAccountSettingRequest,
} from "@aws-sdk/client-ecs";
import { InvalidParameterException } from "@berth/shared";
import { accountSettingNames, deleteAccountSetting, listAccountSettings, putAccountSetting, putAccountSettingDefault } from "../../../core/index.js";
import { paginate } from "../pagination.js";
import type { ActionTable } from "./types.js";

/** ECS's page size for ListAccountSettings: 1 to 10, 10 when not given. */
const maxSettingsPage = 10;

/** PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting, ListAccountSettings. */
export const accountSettingActions: ActionTable = {
  async PutAccountSetting(ctx, input: PutAccountSettingRequest) {
    return { setting: await putAccountSetting(ctx, input.name!, input.value!, input.principalArn) };
  },

  async PutAccountSettingDefault(ctx, input: PutAccountSettingDefaultRequest) {
    return { setting: await putAccountSettingDefault(ctx, input.name!, input.value!) };
  },

  async DeleteAccountSetting(ctx, input: DeleteAccountSettingRequest) {
    return { setting: await deleteAccountSetting(ctx, input.name!, input.principalArn) };
  },

  async ListAccountSettings(ctx, input: ListAccountSettingsRequest) {
    if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > maxSettingsPage)) {
      throw new InvalidParameterException(`maxResults: must be between 1 and ${maxSettingsPage}`);
    }
    const all = await listAccountSettings(ctx, input);
    // Settings come in ECS's name order; the token is the position in that order.
    const order = (name: string | undefined) => String(accountSettingNames.indexOf(name as never)).padStart(2, "0");
    const { page, nextToken } = paginate(all, (s) => order(s.name), { ...input, maxResults: input.maxResults ?? maxSettingsPage });
    return { settings: page, nextToken };
  },
};
