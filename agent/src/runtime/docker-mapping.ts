import type Docker from "dockerode";
import type { NetworkBinding } from "@berth/proto";
import type { ContainerInspect, CreateContainerSpec, RuntimeHealth, VolumeInfo } from "./types.js";

/**
 * The Engine API v1.41 create body for a {@link CreateContainerSpec}. Host ports left undefined
 * go to Docker as "" (it picks); the engine normally chooses them itself beforehand.
 */
export function toCreateOptions(spec: CreateContainerSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  // Docker refuses exposed ports, a hostname, DNS and extra hosts on a container that joins
  // another's namespace: those belong to the namespace's owner (the pause container).
  const joined = spec.networkMode.startsWith("container:");
  for (const p of joined ? [] : spec.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    // host and none networking take no bindings; the ports are only exposed.
    if (spec.networkMode !== "bridge") continue;
    (bindings[key] ??= []).push({ HostIp: p.hostIp ?? "", HostPort: p.hostPort ? String(p.hostPort) : "" });
  }
  const hc = spec.healthcheck;
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.command,
    Entrypoint: spec.entryPoint,
    Env: spec.env,
    WorkingDir: spec.workingDir,
    User: spec.user,
    Hostname: joined ? undefined : spec.hostname,
    Labels: spec.labels,
    ExposedPorts: exposed,
    StopTimeout: spec.stopTimeoutSec,
    Healthcheck: hc
      ? { Test: hc.test, Interval: hc.intervalNs, Timeout: hc.timeoutNs, Retries: hc.retries, StartPeriod: hc.startPeriodNs }
      : undefined,
    HostConfig: {
      NetworkMode: spec.networkMode,
      PortBindings: bindings,
      CpuShares: spec.cpuShares,
      Memory: spec.memoryBytes,
      MemoryReservation: spec.memoryReservationBytes,
      Ulimits: spec.ulimits?.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
      Privileged: spec.privileged,
      ReadonlyRootfs: spec.readonlyRootfs,
      Dns: joined ? undefined : spec.dns,
      DnsSearch: joined ? undefined : spec.dnsSearch,
      ExtraHosts: joined ? undefined : spec.extraHosts,
      Binds: spec.binds?.length ? spec.binds : undefined,
      CgroupParent: spec.cgroupParent,
      VolumesFrom: spec.volumesFrom?.length ? spec.volumesFrom : undefined,
    },
  };
}

/** Docker's time strings, where "0001-01-01T00:00:00Z" means never. */
function epochMs(s: string | undefined): number | undefined {
  if (!s || s.startsWith("0001-")) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Network bindings as ECS reports them, one per published address, deduplicated. */
export function bindingsFromPorts(ports: Record<string, { HostIp: string; HostPort: string }[] | null> | undefined): NetworkBinding[] {
  const out: NetworkBinding[] = [];
  const seen = new Set<string>();
  for (const [key, list] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split("/");
    for (const b of list ?? []) {
      const binding = { bindIp: b.HostIp || "0.0.0.0", containerPort: Number(port), hostPort: Number(b.HostPort), protocol: proto ?? "tcp" };
      const id = `${binding.bindIp}|${binding.containerPort}|${binding.hostPort}|${binding.protocol}`;
      if (seen.has(id) || !binding.hostPort) continue;
      seen.add(id);
      out.push(binding);
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || a.bindIp.localeCompare(b.bindIp));
}

/** A dockerode inspect answer in the runtime-neutral shape. */
export function toInspect(i: Docker.ContainerInspectInfo): ContainerInspect {
  const s = i.State as Docker.ContainerInspectInfo["State"] & { Health?: { Status?: string } };
  const health = s.Health?.Status;
  const status = s.Status as ContainerInspect["status"];
  return {
    id: i.Id,
    name: i.Name.replace(/^\//, ""),
    image: i.Config.Image,
    labels: i.Config.Labels ?? {},
    status,
    running: s.Running,
    exitCode: status === "exited" || status === "dead" ? s.ExitCode : undefined,
    oomKilled: s.OOMKilled,
    error: s.Error || undefined,
    startedAtMs: epochMs(s.StartedAt),
    finishedAtMs: epochMs(s.FinishedAt),
    health: health === "starting" || health === "healthy" || health === "unhealthy" ? (health as RuntimeHealth) : undefined,
    networkBindings: bindingsFromPorts(i.NetworkSettings?.Ports as never),
    pid: s.Running && s.Pid ? s.Pid : undefined,
    imageId: i.Image || undefined,
    createdAtMs: epochMs(i.Created),
    networks: Object.entries(i.NetworkSettings?.Networks ?? {})
      .filter(([, n]) => n?.IPAddress)
      .map(([name, n]) => ({ name, ipv4Address: n.IPAddress, ...(n.MacAddress && { macAddress: n.MacAddress }) })),
  };
}

/** A Docker volume (inspect or list row) in the runtime-neutral shape. */
export function toVolumeInfo(v: { Name: string; Driver: string; Labels?: Record<string, string> | null; Options?: Record<string, string> | null }): VolumeInfo {
  return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {}, options: v.Options ?? {} };
}
