import { logsOperationNames } from "./generated/validators.js";

/** Every CloudWatch Logs operation the vendored model defines, sorted. */
export const logsOperations: readonly string[] = logsOperationNames;
