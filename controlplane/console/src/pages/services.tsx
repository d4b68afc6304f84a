import { readServices } from "../api/reads";
import { ErrorNotice, Link, Loading, Progress, Status } from "../components/ui";
import { useResource } from "../hooks";
import { familyRevision, plural } from "../lib/format";
import { hrefOf } from "../lib/route";
import { deploymentProgress } from "../lib/summaries";

/** A cluster's services: counts and the primary deployment's rollout. */
export function ServicesPage({ cluster }: { cluster: string }) {
  const res = useResource(() => readServices(cluster), [cluster], { kinds: ["service", "task"] });
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="services" />;
  return (
    <>
      <ErrorNotice error={res.error} />
      {res.data.length === 0 ? (
        <p>No services in {cluster}.</p>
      ) : (
        <table>
          <caption>{plural(res.data.length, "service")}</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Status</th>
              <th scope="col">Desired</th>
              <th scope="col">Running</th>
              <th scope="col">Pending</th>
              <th scope="col">Task definition</th>
              <th scope="col">Rollout</th>
            </tr>
          </thead>
          <tbody>
            {res.data.map((s) => {
              const primary = s.deployments?.find((d) => d.status === "PRIMARY");
              const p = primary ? deploymentProgress(primary) : undefined;
              return (
                <tr key={s.serviceArn}>
                  <th scope="row">
                    <Link href={hrefOf({ page: "service", cluster, service: s.serviceName })}>{s.serviceName}</Link>
                  </th>
                  <td>
                    <Status value={s.status} />
                  </td>
                  <td data-testid="desired">{s.desiredCount ?? 0}</td>
                  <td data-testid="running">{s.runningCount ?? 0}</td>
                  <td>{s.pendingCount ?? 0}</td>
                  <td>{familyRevision(s.taskDefinition)}</td>
                  <td>
                    {primary && p ? (
                      <>
                        <Status value={primary.rolloutState} /> {(s.deployments?.length ?? 0) > 1 && <span class="muted">({s.deployments!.length} deployments)</span>}
                        <Progress label={`Rollout of ${s.serviceName}`} pct={p.percent} text={p.label} />
                      </>
                    ) : (
                      "-"
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
