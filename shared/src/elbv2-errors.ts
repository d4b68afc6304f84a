import { BerthError } from "./errors.js";

/**
 * ELBv2's errors, one class per ELBv2 error code (the model's exception shapes, plus its generic
 * ValidationError). The ELBv2 API answers them as `<ErrorResponse><Error><Type>Sender</Type><Code>…`
 * (controlplane/src/api/elbv2/errors.ts, which holds each code's HTTP status from the model);
 * `ecsType` holds the code so the one BerthError table still names them should one reach another edge.
 */
export abstract class Elbv2Error extends BerthError {
  /** ELBv2's error code, e.g. `TargetGroupNotFound`. */
  abstract readonly code: string;
  get ecsType(): string {
    return this.code;
  }
}

/** A named load balancer does not exist. */
export class Elbv2LoadBalancerNotFound extends Elbv2Error {
  override name = "Elbv2LoadBalancerNotFound";
  readonly code = "LoadBalancerNotFound";
}

/** A named target group does not exist. */
export class Elbv2TargetGroupNotFound extends Elbv2Error {
  override name = "Elbv2TargetGroupNotFound";
  readonly code = "TargetGroupNotFound";
}

/** A named listener does not exist. */
export class Elbv2ListenerNotFound extends Elbv2Error {
  override name = "Elbv2ListenerNotFound";
  readonly code = "ListenerNotFound";
}

/** A named rule does not exist. */
export class Elbv2RuleNotFound extends Elbv2Error {
  override name = "Elbv2RuleNotFound";
  readonly code = "RuleNotFound";
}

/** A load balancer with this name exists already. */
export class Elbv2DuplicateLoadBalancerName extends Elbv2Error {
  override name = "Elbv2DuplicateLoadBalancerName";
  readonly code = "DuplicateLoadBalancerName";
}

/** A target group with this name exists already. */
export class Elbv2DuplicateTargetGroupName extends Elbv2Error {
  override name = "Elbv2DuplicateTargetGroupName";
  readonly code = "DuplicateTargetGroupName";
}

/** The load balancer has a listener on this port already. */
export class Elbv2DuplicateListener extends Elbv2Error {
  override name = "Elbv2DuplicateListener";
  readonly code = "DuplicateListener";
}

/** Another rule of the listener has this priority. */
export class Elbv2PriorityInUse extends Elbv2Error {
  override name = "Elbv2PriorityInUse";
  readonly code = "PriorityInUse";
}

/** The resource is used by another (a target group a listener forwards to). */
export class Elbv2ResourceInUse extends Elbv2Error {
  override name = "Elbv2ResourceInUse";
  readonly code = "ResourceInUse";
}

/** A parameter's value is malformed, out of range or missing (ELBv2's generic refusal). */
export class Elbv2ValidationError extends Elbv2Error {
  override name = "Elbv2ValidationError";
  readonly code = "ValidationError";
}

/** The request is well formed but the configuration it asks for cannot be (a port taken on the host, a type berth does not run). */
export class Elbv2InvalidConfigurationRequest extends Elbv2Error {
  override name = "Elbv2InvalidConfigurationRequest";
  readonly code = "InvalidConfigurationRequest";
}

/** More targets than a target group holds. */
export class Elbv2TooManyTargets extends Elbv2Error {
  override name = "Elbv2TooManyTargets";
  readonly code = "TooManyTargets";
}

/** A target that cannot be registered (not an IP, an instance id berth does not know, a bad port). */
export class Elbv2InvalidTarget extends Elbv2Error {
  override name = "Elbv2InvalidTarget";
  readonly code = "InvalidTarget";
}

/** A protocol berth's load balancers do not serve (only HTTP). */
export class Elbv2UnsupportedProtocol extends Elbv2Error {
  override name = "Elbv2UnsupportedProtocol";
  readonly code = "UnsupportedProtocol";
}

/** The operation is not allowed on this resource. */
export class Elbv2OperationNotPermitted extends Elbv2Error {
  override name = "Elbv2OperationNotPermitted";
  readonly code = "OperationNotPermitted";
}

/** More rules than a listener holds. */
export class Elbv2TooManyRules extends Elbv2Error {
  override name = "Elbv2TooManyRules";
  readonly code = "TooManyRules";
}

/** More listeners than a load balancer holds. */
export class Elbv2TooManyListeners extends Elbv2Error {
  override name = "Elbv2TooManyListeners";
  readonly code = "TooManyListeners";
}

/** More tags than a resource holds. */
export class Elbv2TooManyTags extends Elbv2Error {
  override name = "Elbv2TooManyTags";
  readonly code = "TooManyTags";
}

/** The same tag key given twice. */
export class Elbv2DuplicateTagKeys extends Elbv2Error {
  override name = "Elbv2DuplicateTagKeys";
  readonly code = "DuplicateTagKeys";
}

/** More actions than a rule holds. */
export class Elbv2TooManyActions extends Elbv2Error {
  override name = "Elbv2TooManyActions";
  readonly code = "TooManyActions";
}

/** An action that is malformed (a forward without target group, weights out of range). */
export class Elbv2InvalidLoadBalancerAction extends Elbv2Error {
  override name = "Elbv2InvalidLoadBalancerAction";
  readonly code = "InvalidLoadBalancerAction";
}

/** A target group whose protocol the listener cannot forward to. */
export class Elbv2IncompatibleProtocols extends Elbv2Error {
  override name = "Elbv2IncompatibleProtocols";
  readonly code = "IncompatibleProtocols";
}

/** A named subnet does not exist. */
export class Elbv2SubnetNotFound extends Elbv2Error {
  override name = "Elbv2SubnetNotFound";
  readonly code = "SubnetNotFound";
}

/** A subnet the load balancer cannot use (two in one zone). */
export class Elbv2InvalidSubnet extends Elbv2Error {
  override name = "Elbv2InvalidSubnet";
  readonly code = "InvalidSubnet";
}

/** More target groups than a forward action holds. */
export class Elbv2TooManyTargetGroups extends Elbv2Error {
  override name = "Elbv2TooManyTargetGroups";
  readonly code = "TooManyTargetGroups";
}

/** A target group associated with another load balancer already. */
export class Elbv2TargetGroupAssociationLimit extends Elbv2Error {
  override name = "Elbv2TargetGroupAssociationLimit";
  readonly code = "TargetGroupAssociationLimit";
}
