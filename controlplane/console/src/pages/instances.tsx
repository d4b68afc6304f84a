import { ecs } from "../api/client";
import { readInstances } from "../api/reads";
import { ConfirmButton, ErrorNotice, Link, Loading, Status, UsageBar } from "../components/ui";
import { useNow, useResource } from "../hooks";
import { ago, cpuUnits, epochMs, idOf, mebibytes, plural } from "../lib/format";
import { hrefOf } from "../lib/route";
import { instanceUsage, zoneOf } from "../lib/summaries";

/** A cluster's container instances: zone, agent connection, reserved vs registered, tasks; drain / activate. */
export function InstancesPage({ cluster }: { cluster: string }) {
  const now = useNow();
  const res = useResource(() => readInstances(cluster), [cluster], { kinds: ["instance", "task"] });
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="container instances" />;
  return (
    <>
      <ErrorNotice error={res.error} />
      {res.data.length === 0 ? (
        <p>No container instances in {cluster}. Start an agent, or `berth up`.</p>
      ) : (
        <table>
          <caption>{plural(res.data.length, "container instance")}</caption>
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Zone</th>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">CPU reserved</th>
              <th scope="col">Memory reserved</th>
              <th scope="col">Tasks</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {res.data.map((ci) => {
              const id = idOf(ci.containerInstanceArn);
              const cpu = instanceUsage(ci, "CPU");
              const mem = instanceUsage(ci, "MEMORY");
              const draining = ci.status === "DRAINING";
              return (
                <tr key={ci.containerInstanceArn}>
                  <th scope="row">
                    <code>{id}</code>
                    {ci.ec2InstanceId && <div class="muted small">{ci.ec2InstanceId}</div>}
                  </th>
                  <td>{zoneOf(ci)}</td>
                  <td>
                    <Status value={ci.status} />
                  </td>
                  <td>
                    <Status value={ci.agentConnected ? "CONNECTED" : "DISCONNECTED"} />
                    <div class="muted small">
                      {ci.versionInfo?.agentVersion ? `agent ${ci.versionInfo.agentVersion}` : ""} {ci.registeredAt ? `since ${ago(epochMs(ci.registeredAt), now)}` : ""}
                    </div>
                  </td>
                  <td>
                    <UsageBar label={`CPU of ${id}`} used={cpu.reserved} total={cpu.registered} format={cpuUnits} showRemaining />
                  </td>
                  <td>
                    <UsageBar label={`Memory of ${id}`} used={mem.reserved} total={mem.registered} format={mebibytes} showRemaining />
                  </td>
                  <td>
                    <Link href={hrefOf({ page: "tasks", cluster, filters: { instance: id } })} aria-label={`${ci.runningTasksCount ?? 0} running tasks on ${id}`}>
                      {ci.runningTasksCount ?? 0} running
                    </Link>
                    {ci.pendingTasksCount ? `, ${ci.pendingTasksCount} pending` : ""}
                  </td>
                  <td>
                    {ci.status !== "INACTIVE" && (
                      <ConfirmButton
                        label={draining ? "Activate" : "Drain"}
                        danger={!draining}
                        title={`${draining ? "Activate" : "Drain"} ${id}`}
                        message={
                          <p>
                            {draining
                              ? `Set ${id} ACTIVE again, so new tasks may be placed on it?`
                              : `Set ${id} DRAINING? No new tasks are placed on it and its services' tasks are replaced elsewhere.`}
                          </p>
                        }
                        onConfirm={async () => {
                          await ecs("UpdateContainerInstancesState", { cluster, containerInstances: [ci.containerInstanceArn], status: draining ? "ACTIVE" : "DRAINING" });
                          await res.reload();
                        }}
                      />
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
