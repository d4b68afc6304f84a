import { readFileSync } from "node:fs";
import { parse } from "yaml";
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
    doc = parse(raw);
  } catch (err) {
    throw new ConfigError(path, `not valid YAML or JSON (${(err as Error).message})`, { cause: err });
  }
  return optionsFromDocument(doc, path);
}
