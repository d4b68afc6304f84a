import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { endChild, logTail } from "./netns-dockerd.js";
import { netnsPath, type HostRecord } from "./netns.js";

/**
 * The agent's introspection port inside every host's namespace. Each namespace has its own
 * ports, so all hosts use the same one, reached from the root namespace at the host's IP.
 */
export const AGENT_INTROSPECTION_PORT = 51678;

const agentBin = fileURLToPath(new URL("../../agent/bin/berth-agent.js", import.meta.url));

/** ECS's `/v1/metadata` answer. */
interface Metadata {
  Cluster?: string;
  ContainerInstanceArn?: string | null;
}

/**
 * The built berth agent running inside a host's namespace. Its data folder stays the same
 * across restarts, so a restart is the same instance coming back, as on a real host.
 */
export class NetnsAgent {
  private child?: ChildProcess;
  readonly dataDir: string;
  readonly log: string;

  constructor(
    private readonly r: HostRecord,
    private readonly hostIp: string,
    private readonly env: Record<string, string>,
  ) {
    this.dataDir = join(r.dir, "agent");
    this.log = join(r.dir, "agent.log");
  }

  /** Whether the agent process is running. */
  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process id of the running agent, if any. */
  pid(): number | undefined {
    return this.running() ? this.child!.pid : undefined;
  }

  /** Starts the agent through nsenter, so its traffic leaves by the host's veth; a no-op if running. */
  start(): void {
    if (this.running()) return;
    const out = openSync(this.log, "a");
    try {
      this.child = spawn("nsenter", [`--net=${netnsPath(this.r.netns)}`, process.execPath, agentBin], {
        stdio: ["ignore", out, out],
        env: {
          ...process.env,
          DOCKER_HOST: `unix://${this.r.socket}`,
          BERTH_DATA_DIR: this.dataDir,
          BERTH_INTROSPECTION_PORT: String(AGENT_INTROSPECTION_PORT),
          BERTH_HOST_IP: this.hostIp,
          ...this.env,
        },
      });
    } finally {
      closeSync(out);
    }
    this.child.once("error", () => {});
  }

  /** SIGKILL and wait: a crash. */
  async kill(): Promise<void> {
    if (this.child) await endChild(this.child, "SIGKILL", 0);
  }

  /** SIGTERM and wait up to `graceMs`, then SIGKILL. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child) await endChild(this.child, "SIGTERM", graceMs);
  }

  /**
   * The container instance ARN from the agent's introspection endpoint, reached from the root
   * namespace; undefined while it is not registered or not answering.
   */
  async instanceArn(): Promise<string | undefined> {
    try {
      const res = await fetch(`http://${this.hostIp}:${AGENT_INTROSPECTION_PORT}/v1/metadata`, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) return undefined;
      return ((await res.json()) as Metadata).ContainerInstanceArn ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** The last lines of the agent's log (all its runs, appended). */
  output(lines = 40): string {
    return logTail(this.log, lines);
  }
}
