/** Secrets Manager secrets, Parameter Store parameters, their sealing, and a task's secrets at launch. */
export * from "./secrets.js";
export * from "./parameters.js";
export * from "./task-secrets.js";
export { Vault } from "./vault.js";
export {
  currentStage,
  previousStage,
  secretMatchesFilters,
  versionStages,
  type SecretFilter,
} from "./secret-rules.js";
export {
  checkPath,
  isUnderPath,
  parameterArn,
  parameterMatches,
  legacyFilters,
  pageOfList,
  describeFilterKeys,
  byPathFilterKeys,
  type ParameterFilter,
} from "./parameter-rules.js";
