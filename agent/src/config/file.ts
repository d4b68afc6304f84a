import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ConfigError } from "./errors.js";
import { agentOptionKeys, type AgentOptions } from "./options.js";

/**
 * The options in a parsed config document. Keys are the option names; an unknown key is an
 * error naming it, since a misspelt key silently ignored is worse than a refusal to start.
 */
export function optionsFromDocument(doc: unknown, path: string): Partial<AgentOptions> {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError(path, "config file must hold a mapping of option names to values");
  const known = new Set<string>(agentOptionKeys);
  for (const key of Object.keys(doc)) {
    if (!known.has(key)) throw new ConfigError(key, `unknown option in ${path} (known: ${agentOptionKeys.join(", ")})`);
  }
  return doc as Partial<AgentOptions>;
}

const require = createRequire(import.meta.url);

/**
 * The YAML parser, loaded when a config file is read rather than at start: most agents take
 * their options from flags and environment, and the parser is ~0.3 MB of source held in memory
 * for nothing (docs/BENCHMARKS.md, "A real agent's idle RSS").
 */
function parseYaml(raw: string): unknown {
  return (require("yaml") as typeof import("yaml")).parse(raw);
}

/** Reads a YAML or JSON config file (JSON is YAML 1.2, so one parser reads both). */
export function optionsFromFile(path: string): Partial<AgentOptions> {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, `cannot read config file (${(err as Error).message})`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(raw);
  } catch (err) {
    throw new ConfigError(path, `not valid YAML or JSON (${(err as Error).message})`, { cause: err });
  }
  return optionsFromDocument(doc, path);
}
