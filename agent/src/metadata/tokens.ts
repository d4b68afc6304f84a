import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The endpoint paths a task's containers are given, derived from a key only this agent holds:
 * `<route>-<mac>`, where `route` names the agent (so the shared listener on 169.254.170.2 knows
 * whose tasks it is, see front.ts) and `mac` is an HMAC of the task ARN and container name, so
 * one task cannot work out another's path. Derived, not stored: a restarted agent gives the
 * same paths to the containers it re-adopts, whose environment was fixed when they were made.
 */
export class EndpointTokens {
  /** This agent's route: 8 hex characters of the key's digest, not secret. */
  readonly route: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error(`the task metadata key must be 32 bytes, it is ${key.length}`);
    this.route = createHash("sha256").update("berth task metadata route").update(key).digest("hex").slice(0, 8);
  }

  /** The v3/v4 metadata id of one container. */
  container(taskArn: string, containerName: string): string {
    return `${this.route}-${this.mac(`container\n${taskArn}\n${containerName}`)}`;
  }

  /** The credentials id of a task (its role's credentials are the task's, not a container's). */
  credentials(taskArn: string): string {
    return `${this.route}-${this.mac(`credentials\n${taskArn}`)}`;
  }

  /** Whether `presented` is `expected`, compared in constant time. */
  static same(presented: string, expected: string): boolean {
    const a = Buffer.from(presented);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private mac(what: string): string {
    return createHmac("sha256", this.key).update(what).digest("hex").slice(0, 32);
  }
}

/** The route part of an id, when it has the shape of one. */
export function routeOfId(id: string): string | undefined {
  return /^([0-9a-f]{8})-[0-9a-f]{32}$/.exec(id)?.[1];
}

/** Loads the agent's metadata key from its data folder, making it (0600) on first start. */
export async function loadEndpointTokens(dataDir: string): Promise<EndpointTokens> {
  const file = join(dataDir, "task-metadata.key");
  const existing = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (existing) return new EndpointTokens(existing);
  const key = randomBytes(32);
  await mkdir(dataDir, { recursive: true });
  // wx: two starts racing on one folder keep the first key.
  await writeFile(file, key, { mode: 0o600, flag: "wx" }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  await chmod(file, 0o600);
  return new EndpointTokens(await readFile(file));
}
