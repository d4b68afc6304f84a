import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { docker, imageExists } from "./docker.js";
import { NODE_SCRIPTS } from "./node-scripts.js";

// The node image, in two cached layers:
//   berth-node-base:<hash of the package list>   Debian bookworm from mmdebstrap, `docker import`ed
//   berth-node:<hash of base + berth + node>     + the running node binary + the built berth + scripts
// A change to the agent (its dist/ or the lockfile) rebuilds only the second, in seconds.

/**
 * Debian packages of a node: its own engine, iptables for it and for partitions, etcd for the
 * control plane; the CNI plugins, iproute2 and a static busybox (the pause image) for awsvpc tasks.
 */
export const NODE_PACKAGES: readonly string[] = ["docker.io", "iptables", "ca-certificates", "procps", "etcd-server", "containernetworking-plugins", "iproute2", "busybox-static"];
/** The Debian release the node is made of. */
export const NODE_SUITE = "bookworm";
/** Repository name of the node image; its tag is the content hash. */
export const NODE_IMAGE_REPO = "berth-node";
/** Repository name of the Debian base image; its tag is the package list's hash. */
export const BASE_IMAGE_REPO = "berth-node-base";
/** The workspaces a node runs: the agent and the control plane, and what they import. */
const WORKSPACES = ["shared", "proto", "controlplane", "agent"] as const;

/** The repository root of the running berth (controlplane/dist/cli/cluster -> four up). */
export function berthRoot(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
  if (!existsSync(join(root, "package-lock.json")) || !existsSync(join(root, "agent", "package.json"))) {
    throw new Error(`cannot find berth's checkout above ${fileURLToPath(import.meta.url)}; the node image is built from a built checkout (npm run build)`);
  }
  return root;
}

function sha(parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(typeof p === "string" ? `${p.length}:${p}` : p);
  return h.digest("hex").slice(0, 16);
}

/** Tag of the base image for a package list (order-insensitive). */
export function baseImageTag(packages: readonly string[], suite = NODE_SUITE): string {
  return `${BASE_IMAGE_REPO}:${sha([suite, ...[...packages].sort()])}`;
}

/** Files of a built workspace that a node needs: package.json, bin/ and dist/ without declarations. */
function workspaceFiles(root: string, ws: string): string[] {
  const dist = join(root, ws, "dist");
  if (!existsSync(dist)) throw new Error(`${ws}/dist is missing; run npm run build first`);
  const out = [join(ws, "package.json")];
  for (const dir of ["bin", "dist"]) {
    const abs = join(root, ws, dir);
    if (existsSync(abs)) out.push(...walk(abs).map((f) => relative(root, f)));
  }
  return out.filter((f) => !f.endsWith(".d.ts") && !f.endsWith(".tsbuildinfo"));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
}

/** Where the berth files of the image come from and what identifies them. */
export interface NodeImageInputs {
  root: string;
  /** Repo-relative files of the workspaces. */
  files: string[];
  /** Repo-relative top-level folders of node_modules the workspaces need in production. */
  modules: string[];
  tag: string;
  baseTag: string;
}

/**
 * What goes into the image and its tag: the hash covers the base image, the node binary's
 * version, the scripts, the lockfile (standing for node_modules) and every workspace file.
 */
export function nodeImageInputs(root = berthRoot()): NodeImageInputs {
  const baseTag = baseImageTag(NODE_PACKAGES);
  const files = WORKSPACES.flatMap((ws) => workspaceFiles(root, ws)).sort();
  const lock = readFileSync(join(root, "package-lock.json"));
  const parts: (string | Buffer)[] = [baseTag, process.version, process.arch, JSON.stringify(NODE_SCRIPTS), lock];
  for (const f of files) parts.push(f, readFileSync(join(root, f)));
  return { root, files, modules: productionModules(root), tag: `${NODE_IMAGE_REPO}:${sha(parts)}`, baseTag };
}

/** The node_modules folders the agent and the control plane need at run time (npm's own answer, dev dependencies left out). */
function productionModules(root: string): string[] {
  const out = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable", "-w", "@berth/controlplane", "-w", "@berth/agent"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const modules = join(root, "node_modules") + sep;
  const dirs = out.split("\n").filter((p) => p.startsWith(modules)).map((p) => relative(root, p)).sort();
  // A folder inside one already listed comes with it.
  return dirs.filter((d, i) => !dirs.slice(0, i).some((parent) => d.startsWith(parent + sep)));
}

/** Progress of a build, for the spinner. */
export type BuildProgress = (text: string) => void;

/** Result of ensureNodeImage. */
export interface NodeImageResult {
  tag: string;
  /** Whether the image was there already. */
  cached: boolean;
  /** Whether the Debian base had to be made too. */
  builtBase: boolean;
  seconds: number;
}

/** Makes sure the node image of this berth build exists, building what is missing; returns its tag. */
export async function ensureNodeImage(progress: BuildProgress): Promise<NodeImageResult> {
  const started = Date.now();
  const inputs = nodeImageInputs();
  if (await imageExists(inputs.tag)) return { tag: inputs.tag, cached: true, builtBase: false, seconds: (Date.now() - started) / 1000 };
  let builtBase = false;
  if (!(await imageExists(inputs.baseTag))) {
    await buildBaseImage(inputs.baseTag, progress);
    builtBase = true;
  }
  await buildNodeImage(inputs, progress);
  await removeOldNodeImages(inputs.tag);
  return { tag: inputs.tag, cached: false, builtBase, seconds: (Date.now() - started) / 1000 };
}

/** Removes node images of earlier berth builds; one a cluster still runs is in use, and stays. */
async function removeOldNodeImages(keep: string): Promise<void> {
  const tags = (await docker(["image", "ls", NODE_IMAGE_REPO, "--format", "{{.Repository}}:{{.Tag}}"])).split("\n").filter((t) => t && t !== keep);
  for (const t of tags) await docker(["image", "rm", t]).catch(() => {});
}

/** Debian from mmdebstrap, imported as the base image. Offline enough: only Debian's mirror (or its proxy) is read. */
async function buildBaseImage(tag: string, progress: BuildProgress): Promise<void> {
  if (!existsSync("/usr/bin/mmdebstrap")) throw new Error("the node image is made with mmdebstrap, which is missing; install it with: apt-get install mmdebstrap (it is in deploy/packages.txt)");
  const dir = mkdtempSync(join(tmpdir(), "berth-node-base-"));
  try {
    const tar = join(dir, "rootfs.tar");
    progress(`building ${tag}: mmdebstrap ${NODE_SUITE} with ${NODE_PACKAGES.join(", ")}`);
    await run("mmdebstrap", ["--variant=minbase", `--include=${NODE_PACKAGES.join(",")}`, NODE_SUITE, tar], (line) => progress(`building ${tag}: ${line}`));
    progress(`building ${tag}: docker import`);
    await docker(["import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--message", `berth node base: ${NODE_PACKAGES.join(" ")}`, tar, tag]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The base plus node, berth and the scripts, by `docker build` from a context folder (no registry: FROM is local). */
async function buildNodeImage(inputs: NodeImageInputs, progress: BuildProgress): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "berth-node-image-"));
  try {
    progress(`building ${inputs.tag}: copying node and berth`);
    const berth = join(dir, "berth");
    for (const f of [...inputs.files, "package.json"]) {
      mkdirSync(dirname(join(berth, f)), { recursive: true });
      copyFileSync(join(inputs.root, f), join(berth, f));
    }
    // Workspace links (node_modules/@berth/agent -> ../../agent) are kept as links.
    for (const m of inputs.modules) cpSync(join(inputs.root, m), join(berth, m), { recursive: true, verbatimSymlinks: true });
    copyFileSync(process.execPath, join(dir, "node"));
    mkdirSync(join(dir, "scripts"));
    for (const [name, text] of Object.entries(NODE_SCRIPTS)) {
      writeFileSync(join(dir, "scripts", name), text);
      chmodSync(join(dir, "scripts", name), 0o755);
    }
    writeFileSync(join(dir, "Dockerfile"), [
      `FROM ${inputs.baseTag}`,
      "COPY node /usr/local/bin/node",
      "COPY scripts/ /usr/local/bin/",
      "COPY berth /opt/berth",
      `LABEL io.berth.node-image="${inputs.tag}"`,
      'CMD ["berth-node-entry"]',
      "",
    ].join("\n"));
    const size = (statSync(join(dir, "node")).size / 1e6).toFixed(0);
    progress(`building ${inputs.tag}: docker build (node ${process.version}, ${size} MB, ${inputs.modules.length} modules)`);
    // The classic builder: BuildKit would look for its frontend image, and no registry is reachable.
    await docker(["build", "-q", "-t", inputs.tag, dir], { env: { DOCKER_BUILDKIT: "0" } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const read = (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) {
        tail = (tail + "\n" + line).slice(-2000);
        onLine(line.slice(0, 100));
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} failed (exit ${code}):${tail}`))));
  });
}
