#!/usr/bin/env node
/**
 * Trims a botocore model to the operations berth serves and the shapes they reach, so the repo
 * vendors a few hundred lines of EC2's model instead of its 400 operations (a 9 MB file).
 * Operations and shapes are copied unchanged except that `documentation` members are dropped;
 * `metadata` and `version` are kept whole. Same input, same bytes (shapes in model order).
 *
 * Usage: node scripts/trim-aws-model.mjs <service-2.json[.gz]> <out.json> <Operation>...
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** Drops `documentation` keys at every depth: they are most of the model's bytes. */
function withoutDocs(value) {
  if (Array.isArray(value)) return value.map(withoutDocs);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "documentation" || k === "documentationUrl") continue;
    out[k] = withoutDocs(v);
  }
  return out;
}

/** The model with only `operations` and every shape their inputs, outputs and errors reach. */
export function trimModel(model, operations) {
  const reached = new Set();
  const visit = (name) => {
    if (!name || reached.has(name)) return;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`shape ${name} is not in the model`);
    reached.add(name);
    for (const m of Object.values(shape.members ?? {})) visit(m.shape);
    visit(shape.member?.shape);
    visit(shape.key?.shape);
    visit(shape.value?.shape);
  };
  const ops = {};
  for (const op of operations) {
    const def = model.operations[op];
    if (!def) throw new Error(`operation ${op} is not in the model`);
    ops[op] = withoutDocs(def);
    visit(def.input?.shape);
    visit(def.output?.shape);
    for (const e of def.errors ?? []) visit(e.shape);
  }
  const shapes = {};
  for (const name of Object.keys(model.shapes)) if (reached.has(name)) shapes[name] = withoutDocs(model.shapes[name]);
  return { version: model.version, metadata: model.metadata, operations: ops, shapes };
}

function main() {
  const [src, out, ...operations] = process.argv.slice(2);
  if (!src || !out || operations.length === 0) {
    console.error("usage: trim-aws-model.mjs <service-2.json[.gz]> <out.json> <Operation>...");
    process.exit(2);
  }
  const raw = readFileSync(src);
  const model = JSON.parse((src.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8"));
  const trimmed = trimModel(model, [...operations].sort());
  writeFileSync(out, `${JSON.stringify(trimmed, null, 2)}\n`);
  console.log(`wrote ${out}: ${Object.keys(trimmed.operations).length} operations, ${Object.keys(trimmed.shapes).length} shapes`);
}

main();
