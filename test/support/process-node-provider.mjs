#!/usr/bin/env node
// A node provider for managed scaling whose "VMs" are berth agent processes on this host, the
// shape a user's script for real VMs takes (docs/CLUSTER-AUTOSCALING.md):
//   process-node-provider.mjs DIR add COUNT     start COUNT agents, each its own data folder in DIR
//   process-node-provider.mjs DIR remove ID     stop the agent of the node named BERTH_NODE_NAME
// The control plane gives ECS_CLUSTER, BERTH_CONTROL_PLANE, BERTH_JOIN_TOKEN and
// ECS_INSTANCE_ATTRIBUTES (berth.capacity-provider); each agent adds berth.node=<its name> and
// registers NODE_MEMORY_MIB (default 512) of memory, so tests know what fits on a node.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [dir, verb, arg] = process.argv.slice(2);
const agentBin = fileURLToPath(new URL("../../agent/bin/berth-agent.js", import.meta.url));
mkdirSync(dir, { recursive: true });
appendFileSync(join(dir, "calls.log"), `${verb} ${arg}\n`);

if (verb === "add") {
  const count = Number(arg);
  const memory = Number(process.env.NODE_MEMORY_MIB ?? 512);
  const attributes = JSON.parse(process.env.ECS_INSTANCE_ATTRIBUTES ?? "{}");
  for (let i = 0; i < count; i++) {
    const name = `vm-${process.pid}-${i}`;
    const dataDir = join(dir, name);
    mkdirSync(dataDir, { recursive: true });
    const out = openSync(join(dataDir, "agent.log"), "a");
    const child = spawn(process.execPath, [agentBin], {
      detached: true,
      stdio: ["ignore", out, out],
      env: {
        ...process.env,
        BERTH_DATA_DIR: dataDir,
        BERTH_INTROSPECTION_PORT: "0",
        ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached",
        ECS_RESERVED_MEMORY: String(Math.floor(totalmem() / 2 ** 20) - memory),
        ECS_INSTANCE_ATTRIBUTES: JSON.stringify({ ...attributes, "berth.node": name }),
      },
    });
    writeFileSync(join(dir, `${name}.pid`), String(child.pid));
    child.unref();
  }
} else if (verb === "remove") {
  const name = process.env.BERTH_NODE_NAME;
  const pidFile = join(dir, `${name}.pid`);
  // Idempotent: a node already removed is no error (a new leader may ask again).
  if (name && existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8"));
    try {
      process.kill(pid, "SIGTERM");
      for (let n = 0; n < 100; n++) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
    rmSync(pidFile, { force: true });
    appendFileSync(join(dir, "removed.log"), `${name}\n`);
  }
} else {
  process.stderr.write(`usage: process-node-provider.mjs DIR add COUNT | DIR remove INSTANCE_ID\n`);
  process.exit(2);
}
