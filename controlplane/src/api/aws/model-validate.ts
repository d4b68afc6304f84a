import { InvalidParameterException, SerializationException, UnknownOperationException } from "@berth/shared";

/** One ajv error as the generated validators report it (scripts/generate-validators.mjs). */
export interface GeneratedValidationError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A generated validator: true when valid, else `errors` holds the first problem. */
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: GeneratedValidationError[] | null;
}

/** Checks one request's input against its operation's shape from an AWS model. */
export type RequestValidator = (action: string, body: unknown) => void;

/** How a validation failure is raised: each API has its own error type for a bad field. */
export interface ModelValidatorOptions {
  /** The error for a field that breaks the model; default ECS's InvalidParameterException. */
  invalid?: (message: string) => Error;
}

/**
 * A validator over an API's generated input validators. Unknown members are allowed (newer SDKs
 * send fields the model lacks; AWS ignores them). Throws UnknownOperationException for an action
 * the model lacks, SerializationException when the body is not an object, and the API's
 * invalid-parameter error naming the field path otherwise, e.g.
 * `containerDefinitions[1].memory: expected integer, got string`.
 */
export function createModelValidator(
  validators: ReadonlyMap<string, GeneratedValidator>,
  opts: ModelValidatorOptions = {},
): RequestValidator {
  const invalid = opts.invalid ?? ((m: string) => new InvalidParameterException(m));
  return (action, body) => {
    const validator = validators.get(action);
    if (!validator) throw new UnknownOperationException(`Unknown operation: ${action}`);
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new SerializationException(`The request body of ${action} must be a JSON object, got ${jsonTypeOf(body)}`);
    }
    if (validator(body)) return;
    const first = validator.errors?.[0];
    throw invalid(first ? describeError(first, body) : `Invalid request for ${action}`);
  };
}

/** One validation error in the words botocore and ECS users read: field path, then the problem. */
function describeError(error: GeneratedValidationError, body: unknown): string {
  const path = fieldPath(error.instancePath, body);
  const p = error.params;
  switch (error.keyword) {
    case "required":
      return `Missing required parameter: ${joinPath(path, String(p.missingProperty))}`;
    case "type": {
      const expected = String(p.type).split(",").join(" or ");
      return `${path}: expected ${expected}, got ${jsonTypeOf(valueAt(error.instancePath, body))}`;
    }
    case "enum":
      return `${path}: must be one of ${(p.allowedValues as unknown[]).join(", ")}`;
    case "minLength":
      return `${path}: length must be at least ${p.limit}`;
    case "maxLength":
      return `${path}: length must be at most ${p.limit}`;
    case "minItems":
      return `${path}: must have at least ${p.limit} items`;
    case "maxItems":
      return `${path}: must have at most ${p.limit} items`;
    case "minProperties":
      return `${path}: must have at least ${p.limit} entries`;
    case "maxProperties":
      return `${path}: must have at most ${p.limit} entries`;
    case "minimum":
    case "maximum":
      return `${path}: must be ${p.comparison} ${p.limit}`;
    case "pattern":
      return `${path}: must match ${p.pattern}`;
    default:
      return `${path}: ${error.message ?? "is invalid"}`;
  }
}

/**
 * `/containerDefinitions/1/memory` -> `containerDefinitions[1].memory`. Walks the body so a map
 * key that looks like a number is not mistaken for a list index.
 */
function fieldPath(instancePath: string, body: unknown): string {
  let path = "";
  let node: unknown = body;
  for (const segment of pointerSegments(instancePath)) {
    path = Array.isArray(node) ? `${path}[${segment}]` : joinPath(path, segment);
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

function valueAt(instancePath: string, body: unknown): unknown {
  let node: unknown = body;
  for (const segment of pointerSegments(instancePath)) {
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

function pointerSegments(instancePath: string): string[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function joinPath(path: string, member: string): string {
  return path === "" ? member : `${path}.${member}`;
}

/** JSON's name for a value's type, as the messages show it. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value === "undefined" ? "nothing" : typeof value;
}
