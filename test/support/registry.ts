import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { docker } from "./docker.js";

/**
 * A private Docker registry (Registry HTTP API v2, the subset `docker pull` uses) on a loopback
 * port, serving one local image under `repository:tag` behind HTTP Basic auth, so a test can
 * prove the engine pulled with the credentials it was given. Docker treats 127.0.0.0/8
 * registries as insecure by default, so plain HTTP works without daemon configuration.
 */
export interface TestRegistry {
  /** `127.0.0.1:<port>`: the image is `<host>/<repository>:<tag>`. */
  host: string;
  /** Each Basic username and password pair that was presented, as received. */
  presented: { username: string; password: string }[];
  /** How many manifest requests (GET or HEAD) were answered: one or more per pull. */
  manifestsServed: number;
  close(): Promise<void>;
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** The files of a tar archive (ustar; regular files only). */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, len: number) => header.subarray(from, from + len).toString("latin1").replace(/\0.*$/s, "");
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join("/");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    if (type === "0" || type === "") files.set(name, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

async function savedImage(image: string): Promise<{ config: Buffer; layers: Buffer[] }> {
  const stream = await docker().getImage(image).get();
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  const files = untar(Buffer.concat(chunks));
  const [manifest] = JSON.parse(files.get("manifest.json")!.toString()) as { Config: string; Layers: string[] }[];
  return { config: files.get(manifest.Config)!, layers: manifest.Layers.map((l) => files.get(l)!) };
}

/** Starts the registry serving local `image` as `repository:tag` to `username`/`password` only. */
export async function startTestRegistry(opts: { image: string; repository: string; tag: string; username: string; password: string }): Promise<TestRegistry> {
  const { config, layers } = await savedImage(opts.image);
  const blobs = new Map<string, Buffer>([[sha(config), config], ...layers.map((l): [string, Buffer] => [sha(l), l])]);
  // Layers are served as saved (uncompressed tar); Docker detects the compression itself.
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: sha(config) },
      layers: layers.map((l) => ({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: l.length, digest: sha(l) })),
    }),
  );
  const registry: Omit<TestRegistry, "host" | "close"> = { presented: [], manifestsServed: 0 };
  const server = http.createServer((req, res) => {
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [username, ...rest] = auth ? Buffer.from(auth, "base64").toString().split(":") : [];
    if (auth) registry.presented.push({ username, password: rest.join(":") });
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    if (username !== opts.username || rest.join(":") !== opts.password) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="berth-test"', "Content-Type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      return;
    }
    const path = req.url ?? "/";
    const send = (status: number, type: string, body: Buffer, digest?: string) => {
      res.writeHead(status, { "Content-Type": type, "Content-Length": body.length, ...(digest && { "Docker-Content-Digest": digest }) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (path === "/v2/") return send(200, "application/json", Buffer.from("{}"));
    if (path === `/v2/${opts.repository}/manifests/${opts.tag}` || path === `/v2/${opts.repository}/manifests/${sha(manifest)}`) {
      registry.manifestsServed++;
      return send(200, "application/vnd.docker.distribution.manifest.v2+json", manifest, sha(manifest));
    }
    const blob = new RegExp(`^/v2/${opts.repository}/blobs/(sha256:[0-9a-f]{64})$`).exec(path)?.[1];
    if (blob && blobs.has(blob)) return send(200, "application/octet-stream", blobs.get(blob)!, blob);
    send(404, "application/json", Buffer.from(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: `${path} is not here` }] })));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(registry, {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
