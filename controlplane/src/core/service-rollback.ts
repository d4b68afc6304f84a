import {
  ConflictException,
  InvalidParameterException,
  ServiceDeploymentNotFoundException,
  ServiceNotActiveException,
  type DeploymentRecord,
  type ServiceRecord,
  type ServiceRevisionRecord,
} from "@berth/shared";
import type { CoreContext } from "./context.js";
import { getServiceDeployment, mutateService, revisionsOf } from "./service-history.js";
import { newDeployment, randomDeploymentId } from "./service-rules.js";
import { rollBackShift } from "./deployment-groups.js";

/** rolloutStateReason of a deployment a user rolled back. */
export const userRollbackReason = (id: string) => `ECS deployment ${id} was stopped by StopServiceDeployment and is rolling back.`;

/**
 * The service after a user's rollback of the deployment `target` (its PRIMARY): the primary is
 * FAILED and kept as ACTIVE (drained like any old deployment), and a new PRIMARY runs the
 * revision that ran before, carrying the same service deployment, which the rollback's outcome
 * then decides. Pure; throws ConflictException when the deployment is no longer the primary one
 * rolling out.
 */
export function rollBackService(
  svc: ServiceRecord,
  serviceDeploymentArn: string,
  source: ServiceRevisionRecord,
  rollbackId: string,
  now: number,
): ServiceRecord {
  if (svc.status !== "ACTIVE") throw new ServiceNotActiveException("Service was not ACTIVE.");
  const primary = svc.deployments.find((d) => d.status === "PRIMARY");
  if (!primary || primary.serviceDeploymentArn !== serviceDeploymentArn || primary.rolloutState !== "IN_PROGRESS" || primary.rollbackOf) {
    throw new ConflictException("The service deployment is not in progress, so it cannot be stopped.");
  }
  // A BLUE_GREEN, LINEAR or CANARY deployment rolls back in place: its source, still running,
  // takes production back (the service loop re-routes the rules).
  if (primary.shift && svc.deployments.some((d) => d.id === primary.shift!.sourceDeploymentId)) {
    return { ...svc, deployments: rollBackShift(svc.deployments, userRollbackReason(primary.id), now), version: svc.version + 1 };
  }
  const failed: DeploymentRecord = { ...primary, status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: userRollbackReason(primary.id), updatedAtMs: now };
  const rollback: DeploymentRecord = {
    ...newDeployment(rollbackId, source.taskDefinition, svc.desiredCount, primary.launchType, now),
    rolloutStateReason: `ECS deployment ${rollbackId} in progress: rolling back ${primary.id}.`,
    serviceRevisionArn: source.arn,
    serviceDeploymentArn,
    rollbackOf: primary.id,
  };
  const others = svc.deployments.filter((d) => d !== primary);
  // Back to the network of the deployment that ran that revision, when one is still listed.
  const ran = others.find((d) => d.serviceRevisionArn === source.arn);
  const network = ran?.networkConfiguration;
  if (network) rollback.networkConfiguration = network;
  // And to its load balancers, when an UpdateService changed them since.
  const groups = ran?.loadBalancers;
  if (groups) rollback.loadBalancers = groups;
  return {
    ...svc,
    taskDefinition: source.taskDefinition,
    ...(network && { networkConfiguration: network }),
    ...(groups && { loadBalancers: groups.length > 0 ? groups : undefined }),
    deployments: [rollback, failed, ...others],
    version: svc.version + 1,
  };
}

/**
 * StopServiceDeployment: rolls an IN_PROGRESS service deployment back to the newest revision it
 * started from (ECS allows this whether or not the breaker's rollback is configured). Answers
 * the service deployment's ARN.
 */
export async function stopServiceDeployment(ctx: CoreContext, arn: string, stopType = "ROLLBACK"): Promise<string> {
  if (stopType !== "ROLLBACK") throw new InvalidParameterException(`stopType: '${stopType}' is not valid; the valid values are ROLLBACK`);
  const sd = await getServiceDeployment(ctx, arn);
  if (!sd) throw new ServiceDeploymentNotFoundException(`The service deployment ${arn} does not exist.`);
  if (sd.value.status !== "IN_PROGRESS") throw new ConflictException(`The service deployment is ${sd.value.status}, so it cannot be stopped.`);
  const sourceArn = sd.value.sourceRevisionArns[0];
  const source = sourceArn ? (await revisionsOf(ctx, [sourceArn])).get(sourceArn) : undefined;
  if (!source) throw new ConflictException("The service deployment has no earlier service revision to roll back to.");
  const rollbackId = randomDeploymentId();
  const rec = await mutateService(ctx, sd.value.cluster, sd.value.service, (cur) => rollBackService(cur, arn, source, rollbackId, ctx.now()));
  if (!rec) throw new ServiceDeploymentNotFoundException(`The service of ${arn} does not exist.`);
  ctx.log.info("service deployment rolling back", { cluster: rec.cluster, service: rec.name, serviceDeploymentArn: arn, to: source.taskDefinition });
  return arn;
}
