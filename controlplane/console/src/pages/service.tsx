import { useState } from "preact/hooks";
import { awsJson, ecs } from "../api/client";
import { readService } from "../api/reads";
import type { ScalableTarget, ScalingPolicy, Service } from "../api/types";
import { ConfirmButton, ErrorNotice, Facts, Link, Loading, Progress, Status } from "../components/ui";
import { useNow, useResource } from "../hooks";
import { ago, epochMs, familyRevision, isoTime } from "../lib/format";
import { hrefOf } from "../lib/route";
import { deploymentProgress } from "../lib/summaries";
import { navigate } from "../nav";

/** The service's Application Auto Scaling settings, or undefined when that API is not served or has none. */
async function readScaling(cluster: string, service: string): Promise<{ target: ScalableTarget; policies: ScalingPolicy[] } | undefined> {
  const resourceId = `service/${cluster}/${service}`;
  try {
    const t = await awsJson<{ ScalableTargets?: ScalableTarget[] }>("AnyScaleFrontendService.DescribeScalableTargets", { ServiceNamespace: "ecs", ResourceIds: [resourceId] }, "application-autoscaling");
    const target = t.ScalableTargets?.[0];
    if (!target) return undefined;
    const p = await awsJson<{ ScalingPolicies?: ScalingPolicy[] }>("AnyScaleFrontendService.DescribeScalingPolicies", { ServiceNamespace: "ecs", ResourceId: resourceId }, "application-autoscaling");
    return { target, policies: p.ScalingPolicies ?? [] };
  } catch {
    // This berth does not serve Application Auto Scaling (or refused): nothing to show.
    return undefined;
  }
}

/** One service: counts, deployments with progress, events, strategy, load balancers, scaling; scale, redeploy, delete. */
export function ServicePage({ cluster, service }: { cluster: string; service: string }) {
  const now = useNow();
  const res = useResource(
    async () => {
      const [s, scaling] = await Promise.all([readService(cluster, service), readScaling(cluster, service)]);
      return { s, scaling };
    },
    [cluster, service],
    [{ kinds: ["service"], ids: [service] }, { kinds: ["task"] }],
  );
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="the service" />;
  const { s, scaling } = res.data;
  if (!s) return <p role="alert">There is no service {service} in {cluster}.</p>;
  const cfg = s.deploymentConfiguration;
  const strategy = (s.placementStrategy ?? []).map((p) => (p.field ? `${p.type}(${p.field})` : p.type)).join(", ");
  const constraints = (s.placementConstraints ?? []).map((p) => (p.expression ? `${p.type}: ${p.expression}` : p.type)).join(", ");
  return (
    <>
      <ErrorNotice error={res.error} />
      <Facts
        rows={[
          ["Status", <Status value={s.status} />],
          ["Desired", <span data-testid="desired">{s.desiredCount ?? 0}</span>],
          ["Running", <span data-testid="running">{s.runningCount ?? 0}</span>],
          ["Pending", s.pendingCount ?? 0],
          ["Task definition", <Link href={taskDefHref(s.taskDefinition)}>{familyRevision(s.taskDefinition)}</Link>],
          ["Launch type", s.launchType ?? "-"],
          ["Scheduling", s.schedulingStrategy ?? "REPLICA"],
          ["Tasks", <Link href={hrefOf({ page: "tasks", cluster, filters: { service } })}>this service's tasks</Link>],
        ]}
      />
      {s.status === "ACTIVE" && <ServiceActions cluster={cluster} s={s} reload={res.reload} />}

      <h2>Deployments</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Deployment</th>
            <th scope="col">Status</th>
            <th scope="col">Rollout</th>
            <th scope="col">Task definition</th>
            <th scope="col">Progress</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {(s.deployments ?? []).map((d) => {
            const p = deploymentProgress(d);
            return (
              <tr key={d.id}>
                <th scope="row">
                  <code>{d.id}</code>
                </th>
                <td>
                  <Status value={d.status} />
                </td>
                <td>
                  <Status value={d.rolloutState} />
                  {d.rolloutStateReason && <div class="muted small">{d.rolloutStateReason}</div>}
                </td>
                <td>{familyRevision(d.taskDefinition)}</td>
                <td>
                  <Progress label={`Deployment ${d.id}`} pct={p.percent} text={p.label} />
                </td>
                <td title={isoTime(epochMs(d.updatedAt))}>{ago(epochMs(d.updatedAt), now)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2>Placement and deployment settings</h2>
      <Facts
        rows={[
          ["Placement strategy", strategy || "-"],
          ["Placement constraints", constraints || "-"],
          ["Minimum healthy", cfg?.minimumHealthyPercent !== undefined ? `${cfg.minimumHealthyPercent}%` : "-"],
          ["Maximum", cfg?.maximumPercent !== undefined ? `${cfg.maximumPercent}%` : "-"],
          // ROLLING, BLUE_GREEN, LINEAR or CANARY: how a deployment moves traffic (ECS's default is ROLLING).
          ["Deployment strategy", cfg?.strategy ?? "ROLLING"],
          ["Circuit breaker", cfg?.deploymentCircuitBreaker?.enable ? `on${cfg.deploymentCircuitBreaker.rollback ? ", with rollback" : ""}` : "off"],
          ["Deployment controller", s.deploymentController?.type ?? "ECS"],
        ]}
      />
      {(s.loadBalancers?.length ?? 0) > 0 && (
        <>
          <h2>Load balancers</h2>
          <ul>
            {s.loadBalancers!.map((lb, i) => (
              <li key={i}>
                {lb.targetGroupArn ?? lb.loadBalancerName} → {lb.containerName}:{lb.containerPort}
              </li>
            ))}
          </ul>
        </>
      )}
      {scaling && (
        <>
          <h2>Auto scaling</h2>
          <Facts
            rows={[
              ["Capacity", `${scaling.target.MinCapacity ?? "-"} to ${scaling.target.MaxCapacity ?? "-"} tasks`],
              [
                "Policies",
                scaling.policies.length === 0
                  ? "none"
                  : scaling.policies
                      .map((p) => {
                        const tt = p.TargetTrackingScalingPolicyConfiguration;
                        return tt ? `${p.PolicyName}: keep ${tt.PredefinedMetricSpecification?.PredefinedMetricType ?? "metric"} at ${tt.TargetValue}` : `${p.PolicyName} (${p.PolicyType})`;
                      })
                      .join("; "),
              ],
            ]}
          />
        </>
      )}

      <h2>Events</h2>
      {(s.events?.length ?? 0) === 0 ? (
        <p class="muted">No events yet.</p>
      ) : (
        <ol class="events" aria-label="Latest service events">
          {s.events!.slice(0, 15).map((e, i) => (
            <li key={e.id ?? i}>
              <time dateTime={isoTime(epochMs(e.createdAt))} title={isoTime(epochMs(e.createdAt))}>
                {ago(epochMs(e.createdAt), now)}
              </time>{" "}
              {e.message}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function taskDefHref(arn: string | undefined): string {
  const fr = familyRevision(arn);
  const i = fr.lastIndexOf(":");
  return i > 0 ? hrefOf({ page: "taskDefinition", family: fr.slice(0, i), revision: Number(fr.slice(i + 1)) }) : hrefOf({ page: "taskDefinitions" });
}

function ServiceActions({ cluster, s, reload }: { cluster: string; s: Service; reload: () => Promise<void> }) {
  const [desired, setDesired] = useState(String(s.desiredCount ?? 0));
  const wanted = Number(desired);
  const valid = /^\d+$/.test(desired) && wanted <= 10000;
  return (
    <div class="toolbar" role="group" aria-label="Service actions">
      <label>
        Desired count
        <input type="number" min={0} max={10000} name="desiredCount" value={desired} onInput={(e) => setDesired(e.currentTarget.value)} />
      </label>
      <ConfirmButton
        label="Scale"
        title={`Scale ${s.serviceName}`}
        message={<p>Set the desired count of {s.serviceName} from {s.desiredCount ?? 0} to {valid ? wanted : "?"}?</p>}
        disabled={!valid || wanted === s.desiredCount}
        onConfirm={async () => {
          await ecs("UpdateService", { cluster, service: s.serviceName, desiredCount: wanted });
          await reload();
        }}
      />
      <ConfirmButton
        label="Force new deployment"
        title={`Redeploy ${s.serviceName}`}
        message={<p>Start a new deployment of {s.serviceName}, replacing each of its tasks with the same task definition?</p>}
        confirmLabel="Deploy"
        onConfirm={async () => {
          await ecs("UpdateService", { cluster, service: s.serviceName, forceNewDeployment: true });
          await reload();
        }}
      />
      <ConfirmButton
        label="Delete"
        danger
        title={`Delete ${s.serviceName}`}
        message={<p>Delete {s.serviceName}? Its {s.runningCount ?? 0} running tasks are stopped (force delete, as `aws ecs delete-service --force`).</p>}
        onConfirm={async () => {
          await ecs("DeleteService", { cluster, service: s.serviceName, force: true });
          navigate(hrefOf({ page: "services", cluster }));
        }}
      />
    </div>
  );
}
