import { createServer, type Server } from "node:net";

/** The loopback address every test server and daemon binds to. */
export const LOOPBACK = "127.0.0.1";

function listenOnAnyPort(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct TCP ports that were free on `host` a moment ago. All are held open together
 * until the last is chosen, so the same port is never handed out twice in one call; another
 * process may still take one before the caller binds it, so callers that can retry should.
 */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnAnyPort(host));
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === "string") throw new Error("not a TCP listener");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

/** One TCP port that was free on `host` a moment ago (see freePorts for the race). */
export async function freePort(host = LOOPBACK): Promise<number> {
  const [port] = await freePorts(1, host);
  return port;
}

/**
 * A port `p` such that `p` and `p + 1` were both free on `host` a moment ago, for daemons that
 * take a base port and use the next one too (`berth up --etcd-port`, whose peer port is + 1).
 */
export async function freePortPair(host = LOOPBACK): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePort(host);
    const next = await listenAt(host, base + 1);
    if (next) {
      await close(next);
      return base;
    }
  }
  throw new Error(`no two consecutive free ports on ${host} after 20 tries`);
}

function listenAt(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}
