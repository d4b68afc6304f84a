import { createServer } from "node:net";
import { Elbv2InvalidConfigurationRequest } from "@berth/shared";

/**
 * Whether `port` can be bound on `host` right now: undefined if so, else why not (`EADDRINUSE`,
 * `EACCES` for a privileged port without the right). The probe listens and closes at once.
 */
export function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The refusal for a listener port the load balancer host cannot bind, in ELBv2's terms. */
export function portRefusal(port: number, why: string): Error {
  const reason = why === "EACCES" ? "it is a privileged port and berth lacks the right to bind it" : why === "EADDRINUSE" ? "another process holds it" : why;
  return new Elbv2InvalidConfigurationRequest(`Port ${port} cannot be bound on the load balancer host: ${reason}`);
}
