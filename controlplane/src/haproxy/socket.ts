import { createConnection } from "node:net";

/** How long one runtime API command may take before it is given up. */
const commandTimeoutMs = 3000;

/**
 * Sends one command to HAProxy's runtime API on a unix socket and returns its whole answer (the
 * socket is non-interactive: HAProxy answers and closes).
 */
export function runtimeCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error(`haproxy runtime API: '${command}' timed out`)), commandTimeoutMs);
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/**
 * Whether a runtime API answer reports a failure. Successful commands answer nothing, a
 * confirmation (`New server registered.`, `Server deleted.`) or data; failures name the problem.
 */
export function runtimeFailed(answer: string): boolean {
  return /^(No such|Unknown command|Require|Invalid|Server is|Cannot|'[^']*' (?:is|not))|\berror\b|not found|must be/im.test(answer);
}
