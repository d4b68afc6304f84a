/**
 * The agent's TLS credentials in its data dir (`tls/`): its private key (made here, never sent),
 * the certificate the cluster CA issued for it and the CA certificate it pinned at join. Files
 * are 0600 and written temp → rename so a crash leaves the old set or the new, not half.
 */
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What a joined agent holds. */
export interface AgentCredentials {
  keyPem: string;
  certPem: string;
  caPem: string;
}

/** Reads and writes the credentials under `<dataDir>/tls`. */
export class CredentialStore {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, "tls");
  }

  /** The stored credentials, or undefined before the first join (or after {@link clear}). */
  async load(): Promise<AgentCredentials | undefined> {
    try {
      const [keyPem, certPem, caPem] = await Promise.all(["agent.key", "agent.crt", "ca.crt"].map((f) => readFile(join(this.dir, f), "utf8")));
      return { keyPem, certPem, caPem };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** Stores a full set; the certificate last, so a set with a certificate is complete. */
  async save(c: AgentCredentials): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.write("ca.crt", c.caPem);
    await this.write("agent.key", c.keyPem);
    await this.write("agent.crt", c.certPem);
  }

  /** Forgets the credentials (a deregistered instance's certificate is of no more use). */
  async clear(): Promise<void> {
    await rm(join(this.dir, "agent.crt"), { force: true });
  }

  private async write(name: string, text: string): Promise<void> {
    const tmp = join(this.dir, `${name}.tmp`);
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
  }
}

/** A certificate's validity, ms since epoch. */
export function validity(certPem: string): { notBefore: number; notAfter: number } {
  const c = new X509Certificate(certPem);
  return { notBefore: Date.parse(c.validFrom), notAfter: Date.parse(c.validTo) };
}

/** When to renew: at 2/3 of the certificate's life (Swarm renews between 50% and 80%). */
export function renewAt(v: { notBefore: number; notAfter: number }): number {
  return v.notBefore + Math.floor(((v.notAfter - v.notBefore) * 2) / 3);
}
