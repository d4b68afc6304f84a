import { Elbv2ValidationError } from "@berth/shared";
import { describeTargetHealth, deregisterTargets, registerTargets, type CoreContext } from "../../../core/index.js";

interface TargetInput {
  Id: string;
  Port?: number;
  AvailabilityZone?: string;
}

const targetsOf = (list: TargetInput[]) => {
  if (list.length === 0) throw new Elbv2ValidationError("Targets must name at least one target");
  return list.map((t) => ({ id: t.Id, port: t.Port, availabilityZone: t.AvailabilityZone }));
};

/** RegisterTargets: ip or instance targets; the data plane adds them without a reload. */
export async function registerTargetsAction(ctx: CoreContext, input: { TargetGroupArn: string; Targets: TargetInput[] }): Promise<Record<string, unknown>> {
  await registerTargets(ctx, input.TargetGroupArn, targetsOf(input.Targets));
  return {};
}

/** DeregisterTargets: each drains for the group's deregistration delay, then goes. */
export async function deregisterTargetsAction(ctx: CoreContext, input: { TargetGroupArn: string; Targets: TargetInput[] }): Promise<Record<string, unknown>> {
  await deregisterTargets(ctx, input.TargetGroupArn, targetsOf(input.Targets));
  return {};
}

/** DescribeTargetHealth: ELBv2's states and reason codes, from the data plane's checks. */
export async function describeTargetHealthAction(ctx: CoreContext, input: { TargetGroupArn: string; Targets?: TargetInput[] }): Promise<Record<string, unknown>> {
  const rows = await describeTargetHealth(ctx, input.TargetGroupArn, input.Targets?.map((t) => ({ id: t.Id, port: t.Port })));
  return {
    TargetHealthDescriptions: rows.map((r) => ({
      Target: { Id: r.id, Port: r.port, AvailabilityZone: r.availabilityZone },
      HealthCheckPort: r.healthCheckPort,
      TargetHealth: { State: r.health.state, Reason: r.health.reason, Description: r.health.description },
    })),
  };
}
