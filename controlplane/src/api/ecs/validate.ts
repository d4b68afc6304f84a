import { createModelValidator } from "../aws/model-validate.js";
import { ecsInputValidators, ecsOperationNames } from "./generated/validators.js";

/** Every ECS operation the vendored model defines (and so the API can route), sorted. */
export const ecsOperations: readonly string[] = ecsOperationNames;

/**
 * Checks an ECS JSON 1.1 request body against the operation's input shape from the ECS model;
 * a bad field is ECS's InvalidParameterException naming its path (see createModelValidator).
 */
export const validateRequest = createModelValidator(ecsInputValidators);
