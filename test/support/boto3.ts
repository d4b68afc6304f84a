import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The Python interpreters that may carry boto3, newest first: the one on PATH, pyenv's (this
 * machine image ships boto3 1.43 there, which knows ECS's current operations) and Debian's
 * (`python3-boto3` 1.26, which predates DeleteTaskDefinitions and the deployments API).
 */
function candidates(): string[] {
  const pyenv = "/root/.pyenv/versions";
  const fromPyenv = existsSync(pyenv) ? readdirSync(pyenv).sort().reverse().map((v) => `${pyenv}/${v}/bin/python3`) : [];
  return ["python3", ...fromPyenv, "/usr/bin/python3"];
}

const probed = new Map<string, Promise<string | undefined>>();

/** boto3's version under `python`, or undefined when it has none; asked once per interpreter. */
function boto3Version(python: string): Promise<string | undefined> {
  let p = probed.get(python);
  if (!p) {
    p = run(python, ["-c", "import boto3; print(boto3.__version__)"]).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    );
    probed.set(python, p);
  }
  return p;
}

const newer = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
};

/**
 * Runs `script` (Python, with `boto3` and `json` imported and `ecs`, `ec2` and `elbv2`, boto3 clients for
 * `endpoint`, defined) under an interpreter whose boto3 is at least `minVersion`, and parses
 * what it prints as JSON. Fails, naming what was found, when no such boto3 is here.
 */
export async function boto3Json<T = any>(endpoint: string, script: string, minVersion = "1.26.0"): Promise<T> {
  const seen: string[] = [];
  let python: string | undefined;
  for (const candidate of candidates()) {
    const version = await boto3Version(candidate);
    if (version) seen.push(`${candidate} ${version}`);
    if (version && newer(version, minVersion)) {
      python = candidate;
      break;
    }
  }
  if (!python) throw new Error(`no boto3 >= ${minVersion} here (found: ${seen.join(", ") || "none"})`);
  const prelude = `import boto3, json
ecs = boto3.client("ecs", endpoint_url=${JSON.stringify(endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
ec2 = boto3.client("ec2", endpoint_url=${JSON.stringify(endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
elbv2 = boto3.client("elbv2", endpoint_url=${JSON.stringify(endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
`;
  const { stdout } = await run(python, ["-c", prelude + script], { env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true" } });
  return JSON.parse(stdout) as T;
}
