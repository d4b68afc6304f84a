import { readFileSync } from "node:fs";

/**
 * The agent's version, read from its package.json; src/ and dist/ both sit one level under the
 * package, so the same relative path works from sources and from the build.
 */
export const agentVersion: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();

/** The version string /v1/metadata reports, in the ECS agent's shape ("Amazon ECS Agent - v1.x"). */
export const agentVersionString = (version = agentVersion): string => `berth Agent - v${version}`;
