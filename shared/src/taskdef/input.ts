import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";

/**
 * A RegisterTaskDefinition request after the ECS-model validation: `family` and
 * `containerDefinitions` are present (the model requires them).
 */
export type RegisterTaskDefinitionInput = RegisterTaskDefinitionRequest & {
  family: string;
  containerDefinitions: ContainerDefinition[];
};
