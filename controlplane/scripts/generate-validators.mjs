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
 * An API joins by adding its row (and vendoring its model with the license notice). Optional:
 * `operations` compiles only those operations and the shapes their inputs reach (EC2's model has
 * hundreds); `modelOut` also writes the served operations' shapes (no documentation) as a module,
 * for protocols that serialise from the model at run time (Query/EC2 forms in, XML out).
 */
export const services = [
  { id: "ecs", model: "ecs-model/service-2.json", out: "src/api/ecs/generated/validators.ts" },
  {
    id: "ec2",
    model: "aws-models/ec2/service-2.json",
    out: "src/api/ec2/generated/validators.ts",
    modelOut: "src/api/ec2/generated/model.ts",
    operations: [
      "AuthorizeSecurityGroupIngress",
      "CreateSecurityGroup",
      "CreateSubnet",
      "DeleteSecurityGroup",
      "DeleteSubnet",
      "DescribeAvailabilityZones",
      "DescribeSecurityGroups",
      "DescribeSubnets",
      "DescribeVpcs",
      "RevokeSecurityGroupIngress",
    ],
  },
  {
    id: "elbv2",
    model: "aws-models/elbv2/service-2.json",
    out: "src/api/elbv2/generated/validators.ts",
    modelOut: "src/api/elbv2/generated/model.ts",
    operations: [
      "AddTags",
      "CreateListener",
      "CreateLoadBalancer",
      "CreateRule",
      "CreateTargetGroup",
      "DeleteListener",
      "DeleteLoadBalancer",
      "DeleteRule",
      "DeleteTargetGroup",
      "DeregisterTargets",
      "DescribeListeners",
      "DescribeLoadBalancers",
      "DescribeRules",
      "DescribeTags",
      "DescribeTargetGroupAttributes",
      "DescribeTargetGroups",
      "DescribeTargetHealth",
      "ModifyListener",
      "ModifyRule",
      "ModifyTargetGroup",
      "ModifyTargetGroupAttributes",
      "RegisterTargets",
      "RemoveTags",
      "SetRulePriorities",
    ],
  },
  { id: "logs", model: "aws-models/logs/service-2.json", out: "src/api/logs/generated/validators.ts" },
  { id: "autoscaling", model: "aws-models/application-autoscaling/service-2.json", out: "src/api/autoscaling/generated/validators.ts" },
  { id: "secretsmanager", model: "aws-models/secretsmanager/service-2.json", out: "src/api/secrets/generated/validators.ts" },
  { id: "ssm", model: "aws-models/ssm/service-2.json", out: "src/api/ssm/generated/validators.ts" },
  {
    id: "scheduler",
    model: "aws-models/scheduler/service-2.json",
    out: "src/api/scheduler/generated/validators.ts",
    modelOut: "src/api/scheduler/generated/model.ts",
    operations: [
      "CreateSchedule",
      "CreateScheduleGroup",
      "DeleteSchedule",
      "DeleteScheduleGroup",
      "GetSchedule",
      "GetScheduleGroup",
      "ListScheduleGroups",
      "ListSchedules",
      "ListTagsForResource",
      "TagResource",
      "UntagResource",
      "UpdateSchedule",
    ],
  },
  { id: "events", model: "aws-models/events/service-2.json", out: "src/api/events/generated/validators.ts" },
  {
    id: "cloudwatch",
    model: "aws-models/cloudwatch/service-2.json",
    out: "src/api/cloudwatch/generated/validators.ts",
    modelOut: "src/api/cloudwatch/generated/model.ts",
    operations: ["DeleteAlarms", "DescribeAlarmHistory", "DescribeAlarms", "DisableAlarmActions", "EnableAlarmActions", "GetMetricStatistics", "ListMetrics", "PutMetricAlarm", "SetAlarmState"],
  },
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

/**
 * The shapes as one schema document, keys sorted so the output does not depend on file order;
 * all of them, or only those in `only` (a Set of shape names).
 */
export function modelToSchema(model, id, only) {
  const $defs = {};
  for (const name of Object.keys(model.shapes).sort()) {
    if (only && !only.has(name)) continue;
    $defs[name] = shapeToSchema(name, model.shapes[name]);
  }
  return { $id: id, $defs };
}

/** Every shape reachable from `roots` through members, list members and map keys/values. */
export function reachableShapes(model, roots) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop();
    if (!name || seen.has(name)) continue;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`shape ${name} is not in the model`);
    seen.add(name);
    for (const m of Object.values(shape.members ?? {})) stack.push(m.shape);
    stack.push(shape.member?.shape, shape.key?.shape, shape.value?.shape);
  }
  return seen;
}

/** Operation name -> input shape name, sorted by operation; only `operations` when given. */
export function operationInputs(model, operations) {
  const inputs = {};
  for (const op of Object.keys(model.operations).sort()) {
    if (operations && !operations.includes(op)) continue;
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
  const inputs = operationInputs(model, service.operations);
  const missing = (service.operations ?? []).filter((op) => !inputs[op]);
  if (missing.length > 0) throw new Error(`${id}: operations not in the model: ${missing.join(", ")}`);
  const ajv = new Ajv.default({
    code: { source: true, esm: true, lines: true },
    allErrors: false,
    strict: true,
    allowUnionTypes: true,
  });
  const only = service.operations ? reachableShapes(model, Object.values(inputs)) : undefined;
  ajv.addSchema(modelToSchema(model, id, only));
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
    service.operations
      ? `/** The operations of the vendored ${model.metadata.serviceId} model that berth serves, sorted. */`
      : `/** Every operation of the vendored ${model.metadata.serviceId} model, sorted. */`,
    `export const ${id}OperationNames: readonly string[] = ${JSON.stringify(ops, null, 2)};`,
    "",
    "/** Operation name -> validator of its input shape. */",
    `export const ${id}InputValidators: ReadonlyMap<string, GeneratedValidator> = new Map<string, GeneratedValidator>([`,
    ...ops.map((op) => `  [${JSON.stringify(op)}, ${op}],`),
    "]);",
    "",
  ].join("\n");
}

/** Copies a shape without its documentation, for the run-time model module. */
function bareShape(shape) {
  const out = {};
  for (const [k, v] of Object.entries(shape)) {
    if (k === "documentation") continue;
    if (k === "members") {
      out.members = {};
      for (const [m, def] of Object.entries(v)) {
        const { documentation: _doc, ...rest } = def;
        out.members[m] = rest;
      }
    } else if ((k === "member" || k === "key" || k === "value") && v && typeof v === "object") {
      const { documentation: _doc, ...rest } = v;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}

/**
 * The module holding the served operations' input/output shape names and every shape they
 * reach, for the run-time form parser and XML serialiser (api/aws/query-*.ts).
 */
export function generateModelModule(model, service) {
  const ops = {};
  const roots = [];
  for (const op of [...service.operations].sort()) {
    const def = model.operations[op];
    ops[op] = { input: def.input?.shape, output: def.output?.shape };
    // The rest protocols route by method and path, so their operations keep the model's `http`.
    if (model.metadata.protocol.startsWith("rest")) ops[op].http = def.http;
    roots.push(def.input?.shape, def.output?.shape);
  }
  const shapes = {};
  for (const name of [...reachableShapes(model, roots.filter(Boolean))].sort()) shapes[name] = bareShape(model.shapes[name]);
  const body = { metadata: model.metadata, operations: ops, shapes };
  return [
    "// generated by controlplane/scripts/generate-validators.mjs; do not edit",
    `// Source: controlplane/${service.model} (${model.metadata.uid}): the served operations' shapes.`,
    'import type { AwsModel } from "../../aws/model.js";',
    "",
    `/** The ${model.metadata.serviceId} operations berth serves and every shape they reach. */`,
    `export const ${service.id}Model: AwsModel = ${JSON.stringify(body, null, 2)};`,
    "",
  ].join("\n");
}

function main() {
  const check = process.argv.includes("--check");
  let stale = false;
  const outputs = [];
  for (const service of services) {
    const model = JSON.parse(readFileSync(join(root, service.model), "utf8"));
    outputs.push([join(root, service.out), generate(model, service)]);
    if (service.modelOut) outputs.push([join(root, service.modelOut), generateModelModule(model, service)]);
  }
  for (const [outPath, text] of outputs) {
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
