import { useEffect, useRef, useState } from "preact/hooks";
import { clearCredentials, loadCredentials } from "./api/client";
import { followChanges, type LiveState } from "./api/live";
import { readClusters } from "./api/reads";
import { Link } from "./components/ui";
import { useResource } from "./hooks";
import { clusterOf, hrefOf, titleOf, type Route } from "./lib/route";
import { useRoute } from "./nav";
import { ClustersPage } from "./pages/clusters";
import { InstancesPage } from "./pages/instances";
import { ServicePage } from "./pages/service";
import { ServicesPage } from "./pages/services";
import { TaskPage } from "./pages/task";
import { FamiliesPage, FamilyPage, TaskDefinitionPage } from "./pages/task-definitions";
import { TasksPage } from "./pages/tasks";

const lastClusterKey = "berth.console.cluster";

/** The page for a route. */
function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "clusters":
      return <ClustersPage />;
    case "services":
      return <ServicesPage cluster={route.cluster} />;
    case "service":
      return <ServicePage cluster={route.cluster} service={route.service} />;
    case "tasks":
      return <TasksPage cluster={route.cluster} filters={route.filters} />;
    case "task":
      return <TaskPage cluster={route.cluster} task={route.task} />;
    case "instances":
      return <InstancesPage cluster={route.cluster} />;
    case "taskDefinitions":
      return <FamiliesPage />;
    case "family":
      return <FamilyPage family={route.family} />;
    case "taskDefinition":
      return <TaskDefinitionPage family={route.family} revision={route.revision} />;
    case "notFound":
      return (
        <p>
          There is no such page. <Link href={hrefOf({ page: "clusters" })}>See the clusters.</Link>
        </p>
      );
  }
}

/**
 * Follows the change streams of `clusters` and says how they stand: live when every stream
 * is, lost when any is (with why), connecting otherwise.
 */
function useLive(clusters: string[]): { state: LiveState | "idle"; detail?: string } {
  const [states, setStates] = useState<Record<string, { state: LiveState; detail?: string }>>({});
  const key = clusters.join("\u0000");
  useEffect(() => {
    if (!key) return;
    setStates({});
    const stops = key.split("\u0000").map((c) => followChanges(c, (state, detail) => setStates((s) => ({ ...s, [c]: { state, detail } }))));
    return () => stops.forEach((s) => s());
  }, [key]);
  if (clusters.length === 0) return { state: "idle" };
  const all = clusters.map((c) => states[c] ?? { state: "connecting" as LiveState });
  const lost = all.find((s) => s.state === "offline");
  if (lost) return lost;
  if (all.length > 0 && all.every((s) => s.state === "live")) return { state: "live" };
  return { state: "connecting" };
}

/** The console: header, navigation, live status, the page. */
export function App() {
  const route = useRoute();
  const title = titleOf(route);
  const heading = useRef<HTMLHeadingElement>(null);
  const clusters = useResource(readClusters, [], { kinds: ["cluster"] });
  const names = (clusters.data ?? []).map((c) => c.clusterName);
  const routeCluster = clusterOf(route);
  useEffect(() => {
    if (routeCluster) sessionStorage.setItem(lastClusterKey, routeCluster);
  }, [routeCluster]);
  const remembered = routeCluster ?? sessionStorage.getItem(lastClusterKey) ?? undefined;
  const current = routeCluster ?? (remembered && names.includes(remembered) ? remembered : names[0]);
  // A cluster's page follows that cluster; the others follow every cluster (few, in practice).
  const live = useLive(routeCluster ? [routeCluster] : names.slice(0, 20));
  // The page's path without its query: a filter change (query only) keeps focus where it is.
  const path = hrefOf(route).split("?")[0];
  const first = useRef(true);
  useEffect(() => {
    document.title = `${title} · berth console`;
    // Keyboard and screen reader users land on the new page's heading, as after a page load.
    if (first.current) first.current = false;
    else heading.current?.focus();
  }, [path, title]);
  const navLink = (to: Route, label: string) => {
    const h = hrefOf(to);
    const active = to.page === route.page || (to.page === "services" && route.page === "service") || (to.page === "tasks" && route.page === "task") || (to.page === "taskDefinitions" && (route.page === "family" || route.page === "taskDefinition"));
    return (
      <li>
        <Link href={h} aria-current={active ? "page" : undefined}>
          {label}
        </Link>
      </li>
    );
  };
  const liveWords = {
    live: "Live updates on",
    connecting: "Connecting to live updates…",
    idle: "No cluster to follow yet",
    offline: `Live updates lost (${live.detail ?? "no answer"}); retrying`,
  }[live.state];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href={hrefOf({ page: "clusters" })} class="brand">
          berth console
        </Link>
        <nav aria-label="Main">
          <ul>
            {navLink({ page: "clusters" }, "Clusters")}
            {current && navLink({ page: "services", cluster: current }, `Services (${current})`)}
            {current && navLink({ page: "tasks", cluster: current, filters: {} }, "Tasks")}
            {current && navLink({ page: "instances", cluster: current }, "Instances")}
            {navLink({ page: "taskDefinitions" }, "Task definitions")}
          </ul>
        </nav>
        <p class={`live live-${live.state}`} role="status" aria-live="polite" data-testid="live">
          {liveWords}
        </p>
        {loadCredentials() && (
          <button
            type="button"
            class="linkish"
            onClick={() => {
              clearCredentials();
              location.reload();
            }}
          >
            Forget keys
          </button>
        )}
      </header>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <Page route={route} />
      </main>
    </>
  );
}
