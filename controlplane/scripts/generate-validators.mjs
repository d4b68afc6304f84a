#!/usr/bin/env node
/**
 * Build-time generator: turns each vendored botocore model (the ECS one in controlplane/ecs-model/,
 * the other AWS APIs berth serves under controlplane/aws-models/<service>/) into JSON Schema and
 * compiles one ajv standalone validator per operation input into that API's
 * `generated/validators.ts`, so the server never compiles a schema at run time. The output is
 * deterministic (CI regenerates it and fails on a diff).
 *
 * Usage: node scripts/generate-validators.mjs [--check]
 *   --check  exit 1 when a file on disk differs from what would be generated.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import standalone from "ajv/dist/standalone/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

/**
 * One row per AWS API berth validates from its model: `id` names the schema and prefixes the
 * exported names (`<id>OperationNames`, `<id>InputValidators`); paths are from controlplane/.
 * An API joins by adding its row (and vendoring its model with the license notice).
 */
export const services = [
  { id: "ecs", model: "ecs-model/service-2.json", out: "src/api/ecs/generated/validators.ts" },
  { id: "logs", model: "aws-models/logs/service-2.json", out: "src/api/logs/generated/validators.ts" },
];

// ECS's Integer members are Java ints; a value outside that range is refused by ECS too.
const INT32 = { minimum: -2147483648, maximum: 2147483647 };

/** A botocore pattern goes into the schema only if JS compiles it with the `u` flag ajv uses. */
function safePattern(pattern) {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    console.warn(`generate-validators: skipping pattern JS cannot compile: ${pattern}`);
    return false;
  }
}

/** `#/$defs/Name` for a botocore shape name; every shape becomes one definition. */
function ref(shapeName) {
  return { $ref: `#/$defs/${shapeName}` };
}

/** One botocore shape as JSON Schema. Extra object members stay allowed: ECS ignores them. */
export function shapeToSchema(name, shape) {
  switch (shape.type) {
    case "structure": {
      const properties = {};
      for (const member of Object.keys(shape.members ?? {})) {
        properties[member] = ref(shape.members[member].shape);
      }
      const schema = { type: "object", properties };
      if (shape.required?.length) schema.required = [...shape.required];
      return schema;
    }
    case "list": {
      const schema = { type: "array", items: ref(shape.member.shape) };
      if (shape.min !== undefined) schema.minItems = shape.min;
      if (shape.max !== undefined) schema.maxItems = shape.max;
      return schema;
    }
    case "map": {
      const schema = { type: "object", additionalProperties: ref(shape.value.shape) };
      if (shape.min !== undefined) schema.minProperties = shape.min;
      if (shape.max !== undefined) schema.maxProperties = shape.max;
      return schema;
    }
    case "string": {
      const schema = { type: "string" };
      if (shape.enum) schema.enum = [...shape.enum];
      if (shape.min !== undefined) schema.minLength = shape.min;
      if (shape.max !== undefined) schema.maxLength = shape.max;
      if (shape.pattern !== undefined && safePattern(shape.pattern)) schema.pattern = shape.pattern;
      return schema;
    }
    case "integer":
      return {
        type: "integer",
        minimum: shape.min ?? INT32.minimum,
        maximum: shape.max ?? INT32.maximum,
      };
    case "long": {
      const schema = { type: "integer" };
      if (shape.min !== undefined) schema.minimum = shape.min;
      if (shape.max !== undefined) schema.maximum = shape.max;
      return schema;
    }
    case "double":
    case "float": {
      const schema = { type: "number" };
      if (shape.min !== undefined) schema.minimum = shape.min;
      if (shape.max !== undefined) schema.maximum = shape.max;
      return schema;
    }
    case "boolean":
      return { type: "boolean" };
    // JSON 1.1 sends epoch seconds; accept an ISO string too, as the AWS JSON services do.
    case "timestamp":
      return { type: ["number", "string"] };
    // Base64 text on the wire.
    case "blob":
      return { type: "string" };
    default:
      throw new Error(`shape ${name}: unsupported botocore type ${shape.type}`);
  }
}

/** All shapes as one schema document, keys sorted so the output does not depend on file order. */
export function modelToSchema(model, id) {
  const $defs = {};
  for (const name of Object.keys(model.shapes).sort()) {
    $defs[name] = shapeToSchema(name, model.shapes[name]);
  }
  return { $id: id, $defs };
}

/** Operation name -> input shape name, sorted by operation. */
export function operationInputs(model) {
  const inputs = {};
  for (const op of Object.keys(model.operations).sort()) {
    const input = model.operations[op].input?.shape;
    if (!input) throw new Error(`operation ${op} has no input shape`);
    inputs[op] = input;
  }
  return inputs;
}

// Our own code point counter replaces ajv's CommonJS runtime helper, so the generated file has
// no imports and works as ESM under tsc (NodeNext) and vitest alike.
const UCS2_LENGTH = `function ucs2length(str) {
  let length = 0;
  for (let i = 0; i < str.length; i++) {
    length++;
    const code = str.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < str.length) {
      const next = str.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return length;
}`;

/** The TypeScript module text for one service row's model. Pure: same model, same bytes. */
export function generate(model, service) {
  const id = service.id;
  const inputs = operationInputs(model);
  const ajv = new Ajv.default({
    code: { source: true, esm: true, lines: true },
    allErrors: false,
    strict: true,
    allowUnionTypes: true,
  });
  ajv.addSchema(modelToSchema(model, id));
  const refs = {};
  for (const [op, shape] of Object.entries(inputs)) refs[op] = `${id}#/$defs/${shape}`;
  let code = standalone.default(ajv, refs);

  code = code.replace(/require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g, "ucs2length");
  const leftover = /require\([^)]*\)/.exec(code);
  if (leftover) throw new Error(`generated code still needs a CommonJS helper: ${leftover[0]}`);
  code = code.replace(/^"use strict";\s*/, "");

  const ops = Object.keys(inputs);
  return [
    "// generated by controlplane/scripts/generate-validators.mjs; do not edit",
    "// @ts-nocheck",
    `// Source: controlplane/${service.model} (${model.metadata.uid}), ${ops.length} operations.`,
    "",
    UCS2_LENGTH,
    "",
    code.trimEnd(),
    "",
    "/** One ajv error as the generated validators report it. */",
    "export interface GeneratedValidationError {",
    "  instancePath: string;",
    "  schemaPath: string;",
    "  keyword: string;",
    "  params: Record<string, unknown>;",
    "  message?: string;",
    "}",
    "",
    "/** A generated validator: true when valid, else `errors` holds the first problem. */",
    "export interface GeneratedValidator {",
    "  (data: unknown): boolean;",
    "  errors?: GeneratedValidationError[] | null;",
    "}",
    "",
    `/** Every operation of the vendored ${model.metadata.serviceId} model, sorted. */`,
    `export const ${id}OperationNames: readonly string[] = ${JSON.stringify(ops, null, 2)};`,
    "",
    "/** Operation name -> validator of its input shape. */",
    `export const ${id}InputValidators: ReadonlyMap<string, GeneratedValidator> = new Map<string, GeneratedValidator>([`,
    ...ops.map((op) => `  [${JSON.stringify(op)}, ${op}],`),
    "]);",
    "",
  ].join("\n");
}

function main() {
  const check = process.argv.includes("--check");
  let stale = false;
  for (const service of services) {
    const outPath = join(root, service.out);
    const model = JSON.parse(readFileSync(join(root, service.model), "utf8"));
    const text = generate(model, service);
    if (check) {
      let current = "";
      try {
        current = readFileSync(outPath, "utf8");
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`${outPath} is stale: run node controlplane/scripts/generate-validators.mjs`);
        stale = true;
      }
      continue;
    }
    mkdirSync(dirname(outPath), { recursive: true });
    writeFileSync(outPath, text);
    console.log(`wrote ${outPath} (${text.length} bytes)`);
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
