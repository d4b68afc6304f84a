import type { ExecPort } from "./exec-relay.js";
import type { LogPort } from "./log-relay.js";

/** What an agent session on this replica offers the HTTP routes: its log and exec doors. */
export interface SessionPorts {
  logs: LogPort;
  exec: ExecPort;
}

/**
 * The agent sessions this replica holds, by cluster and instance id, for the log and exec
 * routes to reach the agent running a task. Sessions held by other replicas are not here (the
 * routes forward to the replica that holds them, see api/berth/forward.ts).
 */
export class SessionRelay {
  private readonly ports = new Map<string, SessionPorts>();

  /** Makes a session's ports reachable; the returned function removes them (only if still its own). */
  attach(cluster: string, instanceId: string, ports: SessionPorts): () => void {
    const key = `${cluster}/${instanceId}`;
    this.ports.set(key, ports);
    return () => {
      if (this.ports.get(key) === ports) this.ports.delete(key);
    };
  }

  /** The ports of the instance's session, when this replica holds it. */
  port(cluster: string, instanceId: string): SessionPorts | undefined {
    return this.ports.get(`${cluster}/${instanceId}`);
  }
}
