import type { Attribute } from "@berth/proto";

/** What the host attributes are made from. */
export interface HostAttributeInput {
  /** `os.arch()`: x64, arm64, ... */
  arch: string;
  /** `os.platform()`: linux, win32, ... */
  platform: string;
  /** Value of `ecs.availability-zone`. */
  az: string;
  /** Custom attributes from the config (already checked). */
  custom?: Record<string, string>;
  /** The Docker engine's API version range, to announce the remote-API capabilities. */
  dockerApi?: { min: string; max: string };
  /** Log drivers the engine has (`docker info` Plugins.Log). */
  logDrivers?: string[];
}

const capability = "com.amazonaws.ecs.capability.";

// ECS's names for CPU architectures: it reports Go's GOARCH mapped to uname spellings.
const archNames: Record<string, string> = { x64: "x86_64", arm64: "arm64", ia32: "i386", arm: "arm" };
const osTypes: Record<string, string> = { linux: "linux", win32: "windows" };

// The oldest remote API the ECS agent announces; older engines are not worth naming.
const oldestAnnouncedApi = 17;

/** ECS's spelling of a Node architecture name. */
export function ecsArchitecture(arch: string): string {
  return archNames[arch] ?? arch;
}

/** Docker API minor versions "1.x" from `min` to `max`, each as "1.x"; empty when unparsable. */
export function dockerApiVersions(min: string, max: string): string[] {
  const minor = (v: string) => {
    const m = /^1\.(\d+)$/.exec(v);
    return m ? Number(m[1]) : undefined;
  };
  const lo = minor(min);
  const hi = minor(max);
  if (lo === undefined || hi === undefined) return [];
  const out: string[] = [];
  for (let v = Math.max(lo, oldestAnnouncedApi); v <= hi; v++) out.push(`1.${v}`);
  return out;
}

/**
 * The attributes a container instance registers with: the three ECS built-ins placement
 * constraints use (`ecs.os-type`, `ecs.cpu-architecture`, `ecs.availability-zone`), the
 * capabilities ECS's scheduler matches task definitions against (remote API versions, log
 * drivers, health checks, container ordering), then the custom ones. Sorted within each group
 * so registration payloads compare equal across restarts.
 */
export function hostAttributes(input: HostAttributeInput): Attribute[] {
  const builtIn: Attribute[] = [
    { name: "ecs.os-type", value: osTypes[input.platform] ?? input.platform },
    { name: "ecs.cpu-architecture", value: ecsArchitecture(input.arch) },
    { name: "ecs.availability-zone", value: input.az },
  ];
  const caps: string[] = [
    // The engine drives health checks and dependsOn itself, so the task definitions that need
    // them may be placed here.
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    `${capability}privileged-container`,
  ];
  if (input.dockerApi) {
    for (const v of dockerApiVersions(input.dockerApi.min, input.dockerApi.max)) caps.push(`${capability}docker-remote-api.${v}`);
  }
  for (const driver of input.logDrivers ?? []) caps.push(`${capability}logging-driver.${driver}`);
  const capabilities = [...new Set(caps)].sort().map((name) => ({ name, value: "" }));
  const custom = Object.entries(input.custom ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  return [...builtIn, ...capabilities, ...custom];
}
