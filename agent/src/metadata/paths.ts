/**
 * The task metadata endpoint's paths, as ECS's agent serves them on 169.254.170.2:
 * `/v4/<id>` (the container), `/v4/<id>/task`, `/v4/<id>/stats`, `/v4/<id>/task/stats`, the
 * same under `/v3/`, and `/v2/credentials/<id>` (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI).
 */
import { routeOfId } from "./tokens.js";

/** The link-local address SDKs hard-code for task role credentials (ECS's). */
export const metadataAddress = "169.254.170.2";

/** What a request asks for. */
export type MetadataRequest =
  | { kind: "container" | "task" | "container-stats" | "task-stats"; version: "v3" | "v4"; id: string; route: string }
  | { kind: "credentials"; id: string; route: string }
  | { kind: "not-found"; why: string };

const suffixes: Record<string, "container" | "task" | "container-stats" | "task-stats"> = {
  "": "container",
  "/task": "task",
  "/stats": "container-stats",
  "/task/stats": "task-stats",
};

/** Parses a request path (query string removed, one trailing slash tolerated). */
export function parseMetadataPath(path: string): MetadataRequest {
  const p = path.length > 1 ? path.replace(/\/$/, "") : path;
  const creds = /^\/v2\/credentials(?:\/([^/]*))?$/.exec(p);
  if (creds) {
    const route = routeOfId(creds[1] ?? "");
    return route ? { kind: "credentials", id: creds[1]!, route } : { kind: "not-found", why: "CredentialsV2Request: no valid credentials ID in the request" };
  }
  const m = /^\/(v3|v4)\/([^/]+)(\/task\/stats|\/task|\/stats)?$/.exec(p);
  if (!m) return { kind: "not-found", why: `no such path: ${path}` };
  const route = routeOfId(m[2]!);
  if (!route) return { kind: "not-found", why: `${m[1]!.toUpperCase()} metadata: no valid endpoint ID in the request` };
  return { kind: suffixes[m[3] ?? ""]!, version: m[1] as "v3" | "v4", id: m[2]!, route };
}

/** A container's agent-given environment: `fixed` wins over the definition's, `defaults` lose to it. */
export interface MetadataEnvironment {
  fixed: Record<string, string>;
  defaults: Record<string, string>;
}

/**
 * The environment the agent gives each container: the v4 and v3 endpoint URIs, and when the
 * task has a role the credentials' relative URI, which SDKs resolve against 169.254.170.2 (these
 * are the agent's word, as ECS's are). The region and `AWS_EXECUTION_ENV`, as ECS sets them, give
 * way to the definition's own.
 */
export function metadataEnvironment(input: { containerId: string; credentialsId?: string; region?: string; launchType?: "EC2" | "FARGATE" }): MetadataEnvironment {
  const base = `http://${metadataAddress}`;
  return {
    fixed: {
      ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/${input.containerId}`,
      ECS_CONTAINER_METADATA_URI: `${base}/v3/${input.containerId}`,
      ...(input.credentialsId && { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${input.credentialsId}` }),
    },
    defaults: {
      AWS_EXECUTION_ENV: input.launchType === "FARGATE" ? "AWS_ECS_FARGATE" : "AWS_ECS_EC2",
      ...(input.region && { AWS_REGION: input.region, AWS_DEFAULT_REGION: input.region }),
    },
  };
}
