import type { ClusterConfiguration, ClusterSetting } from "@aws-sdk/client-ecs";
import { InvalidParameterException } from "@berth/shared";

/**
 * Pure rules for a cluster's settings, configuration and Service Connect defaults, as
 * CreateCluster, UpdateCluster and UpdateClusterSettings take them.
 */

/** The values the one cluster setting, containerInsights, takes. */
export const containerInsightsValues = ["enabled", "disabled", "enhanced"] as const;

/**
 * A cluster's settings after `requested` is applied over `current`: each named setting is
 * replaced, the rest kept. Refuses names ECS does not have, values containerInsights does not
 * take, and a name given twice.
 */
export function applyClusterSettings(current: { name?: string; value?: string }[], requested: ClusterSetting[] | undefined, field = "settings"): { name: string; value: string }[] {
  const out = new Map(current.map((s) => [s.name!, s.value!]));
  const seen = new Set<string>();
  (requested ?? []).forEach((s, i) => {
    const at = `${field}[${i}]`;
    if (s.name !== "containerInsights") throw new InvalidParameterException(`${at}.name: the only cluster setting is containerInsights, not '${s.name}'`);
    if (seen.has(s.name)) throw new InvalidParameterException(`${at}.name: ${s.name} is given more than once`);
    seen.add(s.name);
    if (!containerInsightsValues.includes(s.value as never)) {
      throw new InvalidParameterException(`${at}.value: containerInsights takes ${containerInsightsValues.map((v) => `'${v}'`).join(", ")}, not '${s.value}'`);
    }
    out.set(s.name, s.value!);
  });
  return [...out].map(([name, value]) => ({ name, value }));
}

/**
 * The settings a new cluster starts with: containerInsights from the account setting of that
 * name (as ECS defaults it), overridden by what CreateCluster was given.
 */
export function newClusterSettings(accountContainerInsights: string, requested: ClusterSetting[] | undefined): { name: string; value: string }[] {
  return applyClusterSettings([{ name: "containerInsights", value: accountContainerInsights }], requested);
}

/**
 * A cluster's configuration after `requested` is applied over `current`: each part given
 * (executeCommandConfiguration, managedStorageConfiguration) replaces the one stored. ECS's
 * rule for execute command logging: OVERRIDE needs a logConfiguration, and a logConfiguration
 * is only read with OVERRIDE.
 */
export function applyClusterConfiguration(current: ClusterConfiguration | undefined, requested: ClusterConfiguration | undefined): ClusterConfiguration | undefined {
  if (requested === undefined) return current;
  const exec = requested.executeCommandConfiguration;
  if (exec) {
    const at = "configuration.executeCommandConfiguration";
    if (exec.logging === "OVERRIDE" && !exec.logConfiguration) throw new InvalidParameterException(`${at}.logConfiguration: required when logging is OVERRIDE`);
    if (exec.logConfiguration && exec.logging !== "OVERRIDE") {
      throw new InvalidParameterException(`${at}.logConfiguration: only used when logging is OVERRIDE, not ${exec.logging ?? "DEFAULT (the default)"}`);
    }
  }
  const out: ClusterConfiguration = { ...current };
  if (exec) out.executeCommandConfiguration = exec;
  if (requested.managedStorageConfiguration) out.managedStorageConfiguration = requested.managedStorageConfiguration;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The Service Connect defaults after a request: an empty namespace removes them, as in ECS;
 * otherwise a Cloud Map namespace ARN or a name of up to 1024 characters without > < " or /.
 */
export function applyServiceConnectDefaults(current: { namespace: string } | undefined, requested: { namespace?: string } | undefined): { namespace: string } | undefined {
  if (requested === undefined) return current;
  const ns = requested.namespace ?? "";
  if (ns === "") return undefined;
  if (!ns.startsWith("arn:") && (ns.length > 1024 || /[<>"/]/.test(ns))) {
    throw new InvalidParameterException("serviceConnectDefaults.namespace: a namespace ARN, or a name of up to 1024 characters without > < \" or /");
  }
  return { namespace: ns };
}
