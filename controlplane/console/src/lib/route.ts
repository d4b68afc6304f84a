/** The console's pages and their URLs under /console/, pure both ways. */

/** Filters of the tasks page, as ListTasks takes them. */
export interface TaskFilters {
  family?: string;
  service?: string;
  /** The desired status ListTasks filters by: RUNNING (the default) or STOPPED. */
  status?: "RUNNING" | "STOPPED";
  /** A container instance id. */
  instance?: string;
}

/** One page of the console. */
export type Route =
  | { page: "clusters" }
  | { page: "services"; cluster: string }
  | { page: "service"; cluster: string; service: string }
  | { page: "tasks"; cluster: string; filters: TaskFilters }
  | { page: "task"; cluster: string; task: string }
  | { page: "instances"; cluster: string }
  | { page: "taskDefinitions" }
  | { page: "family"; family: string }
  | { page: "taskDefinition"; family: string; revision: number }
  | { page: "notFound"; path: string };

/** Where the app is served (vite's base). */
export const base = "/console/";

/** The page a location names. */
export function parseRoute(pathname: string, search = ""): Route {
  if (!pathname.startsWith(base) && pathname !== base.slice(0, -1)) return { page: "notFound", path: pathname };
  const parts = pathname.slice(base.length).split("/").filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(search);
  const [a, b, c, d] = parts;
  if (parts.length === 0) return { page: "clusters" };
  if (a === "clusters" && b) {
    if (c === "services" && parts.length === 3) return { page: "services", cluster: b };
    if (c === "services" && d && parts.length === 4) return { page: "service", cluster: b, service: d };
    if (c === "tasks" && parts.length === 3) return { page: "tasks", cluster: b, filters: filtersOf(q) };
    if (c === "tasks" && d && parts.length === 4) return { page: "task", cluster: b, task: d };
    if (c === "instances" && parts.length === 3) return { page: "instances", cluster: b };
  }
  if (a === "task-definitions") {
    if (parts.length === 1) return { page: "taskDefinitions" };
    if (b && parts.length === 2) return { page: "family", family: b };
    if (b && c && parts.length === 3 && /^\d+$/.test(c)) return { page: "taskDefinition", family: b, revision: Number(c) };
  }
  return { page: "notFound", path: pathname };
}

function filtersOf(q: URLSearchParams): TaskFilters {
  const f: TaskFilters = {};
  const family = q.get("family");
  const service = q.get("service");
  const status = q.get("status");
  const instance = q.get("instance");
  if (family) f.family = family;
  if (service) f.service = service;
  if (status === "RUNNING" || status === "STOPPED") f.status = status;
  if (instance) f.instance = instance;
  return f;
}

/** The URL of a page (path and query), the inverse of {@link parseRoute}. */
export function hrefOf(r: Route): string {
  const enc = encodeURIComponent;
  switch (r.page) {
    case "clusters":
      return base;
    case "services":
      return `${base}clusters/${enc(r.cluster)}/services`;
    case "service":
      return `${base}clusters/${enc(r.cluster)}/services/${enc(r.service)}`;
    case "tasks": {
      const q = new URLSearchParams();
      for (const k of ["family", "service", "status", "instance"] as const) if (r.filters[k]) q.set(k, r.filters[k]!);
      const qs = q.toString();
      return `${base}clusters/${enc(r.cluster)}/tasks${qs ? `?${qs}` : ""}`;
    }
    case "task":
      return `${base}clusters/${enc(r.cluster)}/tasks/${enc(r.task)}`;
    case "instances":
      return `${base}clusters/${enc(r.cluster)}/instances`;
    case "taskDefinitions":
      return `${base}task-definitions`;
    case "family":
      return `${base}task-definitions/${enc(r.family)}`;
    case "taskDefinition":
      return `${base}task-definitions/${enc(r.family)}/${r.revision}`;
    case "notFound":
      return r.path;
  }
}

/** The cluster a page is about, if any (the live feed follows it). */
export function clusterOf(r: Route): string | undefined {
  return "cluster" in r ? r.cluster : undefined;
}

/** The title of a page, for the document title and the page's heading. */
export function titleOf(r: Route): string {
  switch (r.page) {
    case "clusters":
      return "Clusters";
    case "services":
      return `Services of ${r.cluster}`;
    case "service":
      return `Service ${r.service}`;
    case "tasks":
      return `Tasks of ${r.cluster}`;
    case "task":
      return `Task ${r.task}`;
    case "instances":
      return `Container instances of ${r.cluster}`;
    case "taskDefinitions":
      return "Task definitions";
    case "family":
      return `Task definition family ${r.family}`;
    case "taskDefinition":
      return `Task definition ${r.family}:${r.revision}`;
    case "notFound":
      return "Page not found";
  }
}
