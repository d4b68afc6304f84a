import type { ComponentChildren } from "preact";
import { ecs } from "../api/client";
import { describeTasks } from "../api/reads";
import { LogTail } from "../components/log-tail";
import { ContainerStats, useTaskStats } from "../components/task-stats";
import { ConfirmButton, ErrorNotice, Facts, Link, Loading, Status } from "../components/ui";
import { useNow, useResource } from "../hooks";
import { ago, epochMs, familyRevision, idOf, isoTime } from "../lib/format";
import { hrefOf } from "../lib/route";
import { containerEndpoints } from "../lib/summaries";

/** One task: its containers (status, exit code, reason, ports or IP, stats), its log tail, stop. */
export function TaskPage({ cluster, task }: { cluster: string; task: string }) {
  const now = useNow();
  const res = useResource(async () => (await describeTasks(cluster, [task]))[0], [cluster, task], { kinds: ["task"], ids: [task] });
  const running = res.data?.lastStatus === "RUNNING";
  const stats = useTaskStats(cluster, task, running);
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="the task" />;
  const t = res.data;
  const group = t.group ?? "";
  return (
    <>
      <ErrorNotice error={res.error} />
      <Facts
        rows={[
          ["Last status", <Status value={t.lastStatus} />],
          ["Desired status", t.desiredStatus],
          ["Task definition", familyRevision(t.taskDefinitionArn)],
          ["Group", group.startsWith("service:") ? <Link href={hrefOf({ page: "service", cluster, service: group.slice(8) })}>{group}</Link> : group || "-"],
          ["Instance", t.containerInstanceArn ? <code>{idOf(t.containerInstanceArn)}</code> : (t.launchType ?? "-")],
          ["CPU / memory", t.cpu || t.memory ? `${t.cpu ?? "-"} units / ${t.memory ?? "-"} MiB` : "per container"],
          ["Created", <span title={isoTime(epochMs(t.createdAt))}>{ago(epochMs(t.createdAt), now)}</span>],
          ["Started", <span title={isoTime(epochMs(t.startedAt))}>{ago(epochMs(t.startedAt), now)}</span>],
          ...(t.lastStatus === "STOPPED" || t.stoppedReason
            ? ([
                ["Stopped", <span title={isoTime(epochMs(t.stoppedAt))}>{ago(epochMs(t.stoppedAt), now)}</span>],
                ["Stop code", t.stopCode ?? "-"],
                ["Stopped reason", <span data-testid="stopped-reason">{t.stoppedReason ?? "-"}</span>],
              ] as [string, ComponentChildren][])
            : []),
        ]}
      />
      {t.desiredStatus !== "STOPPED" && (
        <div class="toolbar">
          <ConfirmButton
            label="Stop task"
            danger
            title={`Stop task ${idOf(t.taskArn)}`}
            message={<p>Stop this task? Its containers get SIGTERM, then SIGKILL after their stop timeout.{group.startsWith("service:") ? " Its service starts a replacement." : ""}</p>}
            confirmLabel="Stop"
            onConfirm={async () => {
              await ecs("StopTask", { cluster, task: t.taskArn, reason: "Stopped from the berth console" });
              await res.reload();
            }}
          />
        </div>
      )}
      <h2>Containers</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Container</th>
            <th scope="col">Status</th>
            <th scope="col">Exit code</th>
            <th scope="col">Reason</th>
            <th scope="col">Ports / IP</th>
            <th scope="col">CPU and memory</th>
          </tr>
        </thead>
        <tbody>
          {(t.containers ?? []).map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>
                <Status value={c.lastStatus} />
                {c.healthStatus && c.healthStatus !== "UNKNOWN" && <> <Status value={c.healthStatus} /></>}
              </td>
              <td data-testid="exit-code">{c.exitCode ?? "-"}</td>
              <td>{c.reason ?? "-"}</td>
              <td>{containerEndpoints(t, c).join(", ") || "-"}</td>
              <td>
                <ContainerStats state={stats} container={c.name} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <LogTail cluster={cluster} task={task} containers={(t.containers ?? []).map((c) => c.name)} />
    </>
  );
}
