import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's containernetworking-plugins puts the plugins. */
export const defaultCniPath = "/usr/lib/cni";

/** A CNI plugin's error answer (the spec's `code` and `msg`), or a plugin that could not run. */
export class CniError extends Error {
  override name = "CniError";
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

/** One plugin call: the command, the container's id, namespace path and interface. */
export interface CniCall {
  command: "ADD" | "DEL" | "CHECK";
  containerId: string;
  /** `/proc/<pid>/ns/net`; empty for a DEL whose namespace is gone. */
  netns: string;
  ifname: string;
  /** The network configuration (a single plugin's, with `cniVersion`, `name` and `type`). */
  config: Record<string, unknown>;
}

/** The parts of a CNI result berth reads. */
export interface CniResult {
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
}

/**
 * Runs CNI plugins the way a runtime does (the spec's "execution protocol"): the plugin named by
 * the config's `type` from `cniPath`, the call in CNI_* variables, the config on stdin, the
 * result or error as JSON on stdout. A thin adapter: no library for this exists for Node.
 */
export class CniPlugins {
  constructor(readonly cniPath = defaultCniPath) {}

  /** Whether the plugins berth uses are installed. */
  missing(types: string[] = ["bridge", "static", "loopback"]): string[] {
    return types.filter((t) => !existsSync(join(this.cniPath, t)));
  }

  /** Executes one call; resolves to the plugin's result (empty for DEL). */
  exec(call: CniCall): Promise<CniResult> {
    const type = String(call.config.type);
    const env = {
      PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      CNI_COMMAND: call.command,
      CNI_CONTAINERID: call.containerId,
      CNI_NETNS: call.netns,
      CNI_IFNAME: call.ifname,
      CNI_PATH: this.cniPath,
    };
    return new Promise((resolve, reject) => {
      const child = spawn(join(this.cniPath, type), [], { env, stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", (e) => reject(new CniError(`CNI plugin ${type} could not run: ${e.message}`)));
      child.on("close", (code) => {
        const text = Buffer.concat(out).toString("utf8").trim();
        let parsed: { code?: number; msg?: string; details?: string } & CniResult = {};
        try {
          parsed = text ? JSON.parse(text) : {};
        } catch {
          // Non-JSON output is an error below when the exit code says so.
        }
        if (code !== 0) {
          const msg = parsed.msg ? `${parsed.msg}${parsed.details ? `: ${parsed.details}` : ""}` : text || Buffer.concat(err).toString("utf8").trim();
          reject(new CniError(`CNI ${call.command} ${type} failed: ${msg}`, parsed.code));
          return;
        }
        resolve(parsed);
      });
      child.stdin.end(JSON.stringify(call.config));
    });
  }
}
