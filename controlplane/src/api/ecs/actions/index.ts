import { attributeActions } from "./attributes.js";
import { clusterActions } from "./clusters.js";
import { containerInstanceActions } from "./container-instances.js";
import { taskDefinitionActions } from "./task-definitions.js";
import { taskActions } from "./tasks.js";
import { serviceActions } from "./services.js";
import { serviceDeploymentActions } from "./service-deployments.js";
import { taskProtectionActions } from "./task-protection.js";
import { accountSettingActions } from "./account-settings.js";
import { tagActions } from "./tags.js";
import { capacityProviderActions } from "./capacity-providers.js";
import type { ActionTable } from "./types.js";

/** Every ECS action berth serves, by name. An action in the ECS model but not here is refused clearly. */
export const actions: ActionTable = {
  ...clusterActions,
  ...taskDefinitionActions,
  ...taskActions,
  ...containerInstanceActions,
  ...attributeActions,
  ...serviceActions,
  ...serviceDeploymentActions,
  ...taskProtectionActions,
  ...accountSettingActions,
  ...tagActions,
  ...capacityProviderActions,
};

export type { ActionHandler, ActionTable } from "./types.js";
