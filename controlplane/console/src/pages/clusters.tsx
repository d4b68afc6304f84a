import { countTasks, readClusters, readInstances } from "../api/reads";
import { ErrorNotice, Link, Loading, Status, UsageBar } from "../components/ui";
import { useResource } from "../hooks";
import { cpuUnits, mebibytes } from "../lib/format";
import { hrefOf } from "../lib/route";
import { clusterResources, countBy } from "../lib/summaries";

/** Clusters: each with its instance, service and task counts and CPU/memory registered vs reserved. */
export function ClustersPage() {
  const res = useResource(
    async () => {
      const clusters = await readClusters();
      return Promise.all(
        clusters.map(async (c) => {
          const [instances, stopped] = await Promise.all([readInstances(c.clusterName), countTasks(c.clusterName, "STOPPED")]);
          return { cluster: c, instances, stopped, resources: clusterResources(instances) };
        }),
      );
    },
    [],
    { kinds: ["task", "service", "instance", "cluster"] },
  );
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="clusters" />;
  return (
    <>
      <ErrorNotice error={res.error} />
      {res.data.length === 0 && <p>No clusters yet. Create one with <code>aws ecs create-cluster</code>.</p>}
      <ul class="cards" aria-label="Clusters">
        {res.data.map(({ cluster: c, instances, stopped, resources }) => {
          const connected = instances.filter((i) => i.agentConnected).length;
          return (
            <li class="card" key={c.clusterArn}>
              <h2>
                <Link href={hrefOf({ page: "services", cluster: c.clusterName })}>{c.clusterName}</Link> <Status value={c.status} />
              </h2>
              <dl class="counts">
                <div>
                  <dt>Instances</dt>
                  <dd>
                    <Link href={hrefOf({ page: "instances", cluster: c.clusterName })}>{c.registeredContainerInstancesCount ?? instances.length}</Link>{" "}
                    <span class="muted">
                      ({connected} connected{countBy(instances, (i) => i.status).filter(([s]) => s !== "ACTIVE").map(([s, n]) => `, ${n} ${s.toLowerCase()}`).join("")})
                    </span>
                  </dd>
                </div>
                <div>
                  <dt>Services</dt>
                  <dd>
                    <Link href={hrefOf({ page: "services", cluster: c.clusterName })}>{c.activeServicesCount ?? 0}</Link>
                  </dd>
                </div>
                <div>
                  <dt>Tasks</dt>
                  <dd>
                    <Link href={hrefOf({ page: "tasks", cluster: c.clusterName, filters: {} })}>{c.runningTasksCount ?? 0} running</Link>, {c.pendingTasksCount ?? 0} pending,{" "}
                    <Link href={hrefOf({ page: "tasks", cluster: c.clusterName, filters: { status: "STOPPED" } })}>{stopped} stopped</Link>
                  </dd>
                </div>
              </dl>
              <UsageBar label="CPU" used={resources.cpu.reserved} total={resources.cpu.registered} format={cpuUnits} />
              <UsageBar label="Memory" used={resources.memory.reserved} total={resources.memory.registered} format={mebibytes} />
            </li>
          );
        })}
      </ul>
    </>
  );
}
