import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Runs a host command (ip, iptables, nsenter); rejects with its stderr in the message. */
export async function hostCommand(file: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) {
    try {
      return (await run(file, args)).stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`${file} ${args.join(" ")}: ${(e.stderr || e.message).trim()}`);
    }
  }
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(" ")}: ${(stderr || err.message).trim()}`)) : resolve(stdout)));
    // A command that exits before reading its input (nsenter into a task namespace that just
    // went away) makes the write fail with EPIPE on stdin; unheard, that error would end the
    // agent. The exit status already tells the caller, through the callback above.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

/** Adds each iptables rule of the host's filter table unless `-C` finds it already there. */
export async function ensureIptablesRules(rules: readonly string[][]): Promise<void> {
  for (const [chain, ...spec] of rules) {
    const present = await hostCommand("iptables", ["-w", "-C", chain, ...spec]).then(() => true, () => false);
    if (!present) await hostCommand("iptables", ["-w", "-I", chain, "1", ...spec]);
  }
}
