import type { CoreContext } from "../../../core/index.js";
import {
  createSecretAction,
  deleteSecretAction,
  describeSecretAction,
  getSecretValueAction,
  listSecretsAction,
  listSecretVersionIdsAction,
  putSecretValueAction,
  restoreSecretAction,
  updateSecretAction,
} from "./secrets.js";

/** The implemented Secrets Manager operations by name; the rest answer UnsupportedFeatureException. */
export const secretsActions: Record<string, (ctx: CoreContext, input: any) => Promise<object>> = {
  CreateSecret: createSecretAction,
  GetSecretValue: getSecretValueAction,
  PutSecretValue: putSecretValueAction,
  UpdateSecret: updateSecretAction,
  DescribeSecret: describeSecretAction,
  ListSecrets: listSecretsAction,
  ListSecretVersionIds: listSecretVersionIdsAction,
  DeleteSecret: deleteSecretAction,
  RestoreSecret: restoreSecretAction,
};
