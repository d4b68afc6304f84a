import { Elbv2Error } from "@berth/shared";
import { queryErrorMapper } from "../aws/query-errors.js";

/**
 * Each ELBv2 code's HTTP status, from the model's exception shapes (`error.httpStatusCode`; a
 * unit test checks this table against aws-models/elbv2). ValidationError is the Query protocol's
 * generic refusal and not in the model; it is 400 too.
 */
export const elbv2Statuses: Record<string, number> = {
  DuplicateListener: 400,
  DuplicateLoadBalancerName: 400,
  DuplicateTagKeys: 400,
  DuplicateTargetGroupName: 400,
  IncompatibleProtocols: 400,
  InvalidConfigurationRequest: 400,
  InvalidLoadBalancerAction: 400,
  InvalidSubnet: 400,
  InvalidTarget: 400,
  ListenerNotFound: 400,
  LoadBalancerNotFound: 400,
  OperationNotPermitted: 400,
  PriorityInUse: 400,
  ResourceInUse: 400,
  RuleNotFound: 400,
  SubnetNotFound: 400,
  TargetGroupAssociationLimit: 400,
  TargetGroupNotFound: 400,
  TooManyActions: 400,
  TooManyListeners: 400,
  TooManyRules: 400,
  TooManyTags: 400,
  TooManyTargetGroups: 400,
  TooManyTargets: 400,
  UnsupportedProtocol: 400,
  ValidationError: 400,
};

/**
 * Translates an error into ELBv2's `<ErrorResponse><Error>` terms: the shared Query mapping
 * (api/aws/query-errors.ts) with ELBv2's codes and the model's statuses.
 */
export const toElbv2Error = queryErrorMapper({
  own: (err) => (err instanceof Elbv2Error ? { status: elbv2Statuses[err.code] ?? 400, code: err.code, message: err.message } : undefined),
  internalCode: "InternalFailure",
  refusalCode: "ValidationError",
  faultType: true,
});
