import { ecs } from "../api/client";
import { readFamilies, readRevisions } from "../api/reads";
import { ConfirmButton, ErrorNotice, Link, Loading, Status } from "../components/ui";
import { useResource } from "../hooks";
import { familyRevision } from "../lib/format";
import { hrefOf } from "../lib/route";

/** Task definition families. */
export function FamiliesPage() {
  const res = useResource(readFamilies, [], { kinds: ["taskDefinition"] });
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="task definition families" />;
  return (
    <>
      <ErrorNotice error={res.error} />
      {res.data.length === 0 ? (
        <p>No task definitions yet. Register one with <code>aws ecs register-task-definition</code>.</p>
      ) : (
        <ul class="plain" aria-label="Task definition families">
          {res.data.map((f) => (
            <li key={f}>
              <Link href={hrefOf({ page: "family", family: f })}>{f}</Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** One family's revisions. */
export function FamilyPage({ family }: { family: string }) {
  const res = useResource(() => readRevisions(family), [family], { kinds: ["taskDefinition"] });
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="revisions" />;
  return (
    <>
      <ErrorNotice error={res.error} />
      <ul class="plain" aria-label={`Revisions of ${family}`}>
        {res.data.map((arn) => {
          const fr = familyRevision(arn);
          return (
            <li key={arn}>
              <Link href={hrefOf({ page: "taskDefinition", family, revision: Number(fr.slice(fr.lastIndexOf(":") + 1)) })}>{fr}</Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** One revision: its JSON as DescribeTaskDefinition answers it; deregister. */
export function TaskDefinitionPage({ family, revision }: { family: string; revision: number }) {
  const ref = `${family}:${revision}`;
  const res = useResource(() => ecs<{ taskDefinition: Record<string, unknown> & { status?: string } }>("DescribeTaskDefinition", { taskDefinition: ref }), [ref], {
    kinds: ["taskDefinition"],
    ids: [ref],
  });
  if (!res.data) return res.error ? <ErrorNotice error={res.error} /> : <Loading what="the task definition" />;
  const td = res.data.taskDefinition;
  return (
    <>
      <ErrorNotice error={res.error} />
      <p>
        <Status value={td.status} /> <Link href={hrefOf({ page: "family", family })}>all revisions of {family}</Link>
      </p>
      {td.status === "ACTIVE" && (
        <div class="toolbar">
          <ConfirmButton
            label="Deregister"
            danger
            title={`Deregister ${ref}`}
            message={<p>Deregister {ref}? Running tasks and services keep it; new ones cannot use it.</p>}
            onConfirm={async () => {
              await ecs("DeregisterTaskDefinition", { taskDefinition: ref });
              await res.reload();
            }}
          />
        </div>
      )}
      <pre class="json" tabIndex={0} aria-label={`JSON of ${ref}`}>
        {JSON.stringify(td, null, 2)}
      </pre>
    </>
  );
}
