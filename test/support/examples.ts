import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The ECS guide's task definitions (../shared/examples beside the repo), which must register verbatim. */
export const exampleNames = ["web-app", "microservice", "batch-processor"] as const;

/** Path of an example's JSON file. */
export function examplePath(name: (typeof exampleNames)[number]): string {
  const candidates = [
    new URL(`../../../shared/examples/${name}.json`, import.meta.url),
    new URL(`../../docs/examples/${name}.json`, import.meta.url),
  ];
  for (const u of candidates) {
    try {
      readFileSync(u);
      return fileURLToPath(u);
    } catch {
      // try the next place
    }
  }
  throw new Error(`example ${name} not found beside the repo (../shared/examples) or in docs/examples`);
}

/** An example's JSON as parsed. */
export function example(name: (typeof exampleNames)[number]): Record<string, unknown> {
  return JSON.parse(readFileSync(examplePath(name), "utf8")) as Record<string, unknown>;
}
