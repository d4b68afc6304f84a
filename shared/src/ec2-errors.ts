import { BerthError } from "./errors.js";

/**
 * EC2's errors, one class per EC2 error code. The EC2 API answers them as
 * `<Response><Errors><Error><Code>…` (controlplane/src/api/ec2/errors.ts); `ecsType` holds the EC2
 * code so the one BerthError table still names them should one reach another edge.
 */
export abstract class Ec2Error extends BerthError {
  /** EC2's error code, e.g. `InvalidSubnetID.NotFound`. */
  abstract readonly code: string;
  get ecsType(): string {
    return this.code;
  }
}

/** A parameter's value is malformed or out of range (a bad CIDR, a port range, an unknown zone). */
export class Ec2InvalidParameterValue extends Ec2Error {
  override name = "Ec2InvalidParameterValue";
  readonly code = "InvalidParameterValue";
}

/** A required parameter is missing. */
export class Ec2MissingParameter extends Ec2Error {
  override name = "Ec2MissingParameter";
  readonly code = "MissingParameter";
}

/** Parameters that cannot be given together (or one needs another). */
export class Ec2InvalidParameterCombination extends Ec2Error {
  override name = "Ec2InvalidParameterCombination";
  readonly code = "InvalidParameterCombination";
}

/** A form parameter that names no member of the operation's input. */
export class Ec2UnknownParameter extends Ec2Error {
  override name = "Ec2UnknownParameter";
  readonly code = "UnknownParameter";
}

/** An `Action` the EC2 API does not serve. */
export class Ec2InvalidAction extends Ec2Error {
  override name = "Ec2InvalidAction";
  readonly code = "InvalidAction";
}

/** DryRun set on a request that would have succeeded (HTTP 412, as EC2). */
export class Ec2DryRunOperation extends Ec2Error {
  override name = "Ec2DryRunOperation";
  readonly code = "DryRunOperation";
  override readonly httpStatus = 412;
  constructor() {
    super("Request would have succeeded, but DryRun flag is set.");
  }
}

/** A VPC id that is not the region's (berth has the default VPC only). */
export class InvalidVpcIdNotFound extends Ec2Error {
  override name = "InvalidVpcIdNotFound";
  readonly code = "InvalidVpcID.NotFound";
}

/** A subnet id that names no default or created subnet. */
export class InvalidSubnetIdNotFound extends Ec2Error {
  override name = "InvalidSubnetIdNotFound";
  readonly code = "InvalidSubnetID.NotFound";
}

/** The subnet's CIDR overlaps another subnet of the VPC. */
export class InvalidSubnetConflict extends Ec2Error {
  override name = "InvalidSubnetConflict";
  readonly code = "InvalidSubnet.Conflict";
}

/** The subnet's CIDR is not inside its VPC's, or its size is outside /16…/28. */
export class InvalidSubnetRange extends Ec2Error {
  override name = "InvalidSubnetRange";
  readonly code = "InvalidSubnet.Range";
}

/** A security group id, or a name in the default VPC, that names no group. */
export class InvalidGroupNotFound extends Ec2Error {
  override name = "InvalidGroupNotFound";
  readonly code = "InvalidGroup.NotFound";
}

/** A security group name already taken in its VPC. */
export class InvalidGroupDuplicate extends Ec2Error {
  override name = "InvalidGroupDuplicate";
  readonly code = "InvalidGroup.Duplicate";
}

/** An ingress rule the group already has. */
export class InvalidPermissionDuplicate extends Ec2Error {
  override name = "InvalidPermissionDuplicate";
  readonly code = "InvalidPermission.Duplicate";
}

/** An ingress rule to revoke that the group does not have. */
export class InvalidPermissionNotFound extends Ec2Error {
  override name = "InvalidPermissionNotFound";
  readonly code = "InvalidPermission.NotFound";
}

/** The default security group cannot be deleted. */
export class Ec2CannotDelete extends Ec2Error {
  override name = "Ec2CannotDelete";
  readonly code = "CannotDelete";
}

/** The resource is in use (a subnet or group a task's interface is in, a group another references). */
export class Ec2DependencyViolation extends Ec2Error {
  override name = "Ec2DependencyViolation";
  readonly code = "DependencyViolation";
}

/** An operation berth does not allow on this resource (the derived default subnets). */
export class Ec2OperationNotPermitted extends Ec2Error {
  override name = "Ec2OperationNotPermitted";
  readonly code = "OperationNotPermitted";
}

/** A NextToken berth did not hand out. */
export class Ec2InvalidPaginationToken extends Ec2Error {
  override name = "Ec2InvalidPaginationToken";
  readonly code = "InvalidPaginationToken";
}

/** A security group rule id (sgr-…) no rule of the group has. */
export class InvalidSecurityGroupRuleIdNotFound extends Ec2Error {
  override name = "InvalidSecurityGroupRuleIdNotFound";
  readonly code = "InvalidSecurityGroupRuleId.NotFound";
}
