import type { CoreContext } from "../../../core/index.js";
import {
  deleteParameterAction,
  deleteParametersAction,
  describeParametersAction,
  getParameterAction,
  getParameterHistoryAction,
  getParametersAction,
  getParametersByPathAction,
  putParameterAction,
} from "./parameters.js";

/** The implemented Parameter Store operations by name (the vendored model holds only these). */
export const ssmActions: Record<string, (ctx: CoreContext, input: any) => Promise<object>> = {
  PutParameter: putParameterAction,
  GetParameter: getParameterAction,
  GetParameters: getParametersAction,
  GetParametersByPath: getParametersByPathAction,
  GetParameterHistory: getParameterHistoryAction,
  DeleteParameter: deleteParameterAction,
  DeleteParameters: deleteParametersAction,
  DescribeParameters: describeParametersAction,
};
