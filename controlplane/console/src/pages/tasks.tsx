import { readFamilies, readInstances, readServices, readTasks } from "../api/reads";
import { ErrorNotice, Link, Loading, Status } from "../components/ui";
import { useNow, useResource } from "../hooks";
import { ago, epochMs, familyRevision, idOf, plural } from "../lib/format";
import { hrefOf, type TaskFilters } from "../lib/route";
import { navigate } from "../nav";

/** A cluster's tasks, filtered by family, service, desired status and instance (the ListTasks filters). */
export function TasksPage({ cluster, filters }: { cluster: string; filters: TaskFilters }) {
  const now = useNow();
  const options = useResource(
    async () => {
      const [families, services, instances] = await Promise.all([readFamilies(), readServices(cluster), readInstances(cluster)]);
      return { families, services: services.map((s) => s.serviceName), instances: instances.map((i) => idOf(i.containerInstanceArn)) };
    },
    [cluster],
    { kinds: ["service", "instance", "taskDefinition"] },
  );
  const res = useResource(() => readTasks(cluster, filters), [cluster, filters.family, filters.service, filters.status, filters.instance], { kinds: ["task"] });
  const set = (key: keyof TaskFilters, value: string) => navigate(hrefOf({ page: "tasks", cluster, filters: { ...filters, [key]: value || undefined } }), true);
  const select = (key: keyof TaskFilters, label: string, values: string[], all: string) => (
    <label>
      {label}
      <select name={key} value={filters[key] ?? ""} onChange={(e) => set(key, e.currentTarget.value)}>
        <option value="">{all}</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
        {filters[key] && !values.includes(filters[key]!) && <option value={filters[key]}>{filters[key]}</option>}
      </select>
    </label>
  );
  return (
    <>
      <form class="filters" aria-label="Task filters" onSubmit={(e) => e.preventDefault()}>
        {select("family", "Family", options.data?.families ?? [], "all families")}
        {select("service", "Service", options.data?.services ?? [], "all services")}
        <label>
          Desired status
          <select name="status" value={filters.status ?? "RUNNING"} onChange={(e) => set("status", e.currentTarget.value === "RUNNING" ? "" : e.currentTarget.value)}>
            <option value="RUNNING">RUNNING</option>
            <option value="STOPPED">STOPPED</option>
          </select>
        </label>
        {select("instance", "Instance", options.data?.instances ?? [], "all instances")}
      </form>
      <ErrorNotice error={res.error ?? options.error} />
      {!res.data ? (
        !res.error && <Loading what="tasks" />
      ) : res.data.length === 0 ? (
        <p>No tasks match.</p>
      ) : (
        <table>
          <caption>{plural(res.data.length, "task")}</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Task definition</th>
              <th scope="col">Last status</th>
              <th scope="col">Desired</th>
              <th scope="col">Group</th>
              <th scope="col">Instance</th>
              <th scope="col">Started</th>
              <th scope="col">Stopped reason</th>
            </tr>
          </thead>
          <tbody>
            {res.data.map((t) => (
              <tr key={t.taskArn}>
                <th scope="row">
                  <Link href={hrefOf({ page: "task", cluster, task: idOf(t.taskArn) })}>
                    <code>{idOf(t.taskArn)}</code>
                  </Link>
                </th>
                <td>{familyRevision(t.taskDefinitionArn)}</td>
                <td>
                  <Status value={t.lastStatus} />
                </td>
                <td>{t.desiredStatus}</td>
                <td>{t.group ?? "-"}</td>
                <td>{t.containerInstanceArn ? <code>{idOf(t.containerInstanceArn)}</code> : (t.launchType ?? "-")}</td>
                <td>{ago(epochMs(t.startedAt), now)}</td>
                <td>{t.stoppedReason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
