import type http from "node:http";
import { SerializationException } from "@berth/shared";
import { parseJsonBody } from "./http-body.js";
import type { AwsModel, AwsShape } from "./model.js";

/**
 * The rest-json protocol's request side, read from the model: each operation's `http` route
 * (method and requestUri template, `{Label}` one segment, `{Label+}` greedy) and each input
 * member's location (uri label, querystring, header, the headers prefix map, or the JSON body).
 * Pure: the same model and request give the same input.
 */

/** One operation's compiled route. */
export interface RestRoute {
  operation: string;
  method: string;
  /** Matches the raw (still percent-encoded) path; groups are the labels in `labels` order. */
  pattern: RegExp;
  labels: string[];
  /** Literal query parameters the requestUri names (`/x?list-type=2`), all required to match. */
  fixedQuery: [string, string][];
  /** Literal characters: more specific templates are tried first. */
  weight: number;
}

/** Every operation of `model` that has an `http` route, most specific first. */
export function compileRoutes(model: AwsModel): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [operation, def] of Object.entries(model.operations)) {
    if (!def.http) continue;
    const [path, query = ""] = def.http.requestUri.split("?");
    const labels: string[] = [];
    let source = "";
    let weight = 0;
    for (const part of path.split(/(\{[^}]+\})/)) {
      const label = /^\{([^}+]+)(\+?)\}$/.exec(part);
      if (label) {
        labels.push(label[1]);
        source += label[2] ? "(.+)" : "([^/]+)";
      } else {
        source += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        weight += part.length;
      }
    }
    const fixedQuery = [...new URLSearchParams(query)] as [string, string][];
    routes.push({ operation, method: def.http.method, pattern: new RegExp(`^${source}/?$`), labels, fixedQuery, weight: weight + fixedQuery.length });
  }
  return routes.sort((a, b) => b.weight - a.weight || a.operation.localeCompare(b.operation));
}

/** A matched route: the operation and its uri labels, decoded. */
export interface RouteMatch {
  operation: string;
  labels: Record<string, string>;
}

/**
 * The route for a request: `{match}` when method and path fit, `{pathKnown: true}` when only the
 * path does (another method), `{}` when the path is none of the API's.
 */
export function matchRoute(routes: readonly RestRoute[], method: string, rawPath: string, query: URLSearchParams): { match?: RouteMatch; pathKnown?: boolean } {
  let pathKnown = false;
  for (const r of routes) {
    const m = r.pattern.exec(rawPath);
    if (!m || !r.fixedQuery.every(([k, v]) => query.get(k) === v)) continue;
    pathKnown = true;
    if (r.method !== method) continue;
    const labels: Record<string, string> = {};
    r.labels.forEach((name, i) => {
      try {
        labels[name] = decodeURIComponent(m[i + 1]);
      } catch {
        throw new SerializationException(`The path segment for ${name} is not valid percent-encoding`);
      }
    });
    return { match: { operation: r.operation, labels } };
  }
  return { pathKnown };
}

/** A scalar from a query string or header, typed as its shape says (validation follows). */
function scalar(shape: AwsShape | undefined, raw: string): unknown {
  switch (shape?.type) {
    case "integer":
    case "long":
    case "double":
    case "float":
      return raw.trim() === "" || Number.isNaN(Number(raw)) ? raw : Number(raw);
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    default:
      return raw;
  }
}

/**
 * The operation's input as one object (the shape the generated validators check): labels,
 * query parameters and headers by their `locationName`, the JSON body's members (or the
 * `payload` member's whole body) beside them.
 */
export function restInput(
  model: AwsModel,
  match: RouteMatch,
  query: URLSearchParams,
  headers: http.IncomingHttpHeaders,
  body: Buffer,
): Record<string, unknown> {
  const inputName = model.operations[match.operation]?.input;
  const shape = inputName ? model.shapes[inputName] : undefined;
  if (!shape) return {};
  const out: Record<string, unknown> = {};
  if (shape.payload) {
    const member = shape.members?.[shape.payload];
    const target = member && model.shapes[member.shape];
    if (body.length > 0) out[shape.payload] = target?.type === "structure" ? parseJsonBody(body) : body.toString(target?.type === "blob" ? "base64" : "utf8");
  } else if (body.length > 0) {
    const parsed = parseJsonBody(body);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new SerializationException("The request body must be a JSON object");
    Object.assign(out, parsed);
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const wire = ref.locationName ?? name;
    const target = model.shapes[ref.shape];
    switch (ref.location) {
      case "uri":
        if (match.labels[wire] !== undefined) out[name] = match.labels[wire];
        break;
      case "querystring": {
        if (target?.type === "map") {
          // A map in the query takes every parameter no other member names.
          const named = new Set(Object.values(shape.members ?? {}).filter((m) => m.location === "querystring" && m.locationName).map((m) => m.locationName));
          const map: Record<string, unknown> = {};
          for (const [k, v] of query) if (!named.has(k)) map[k] = v;
          if (Object.keys(map).length > 0) out[name] = map;
        } else if (target?.type === "list") {
          const all = query.getAll(wire);
          if (all.length > 0) out[name] = all.map((v) => scalar(target.member && model.shapes[target.member.shape], v));
        } else if (query.has(wire)) out[name] = scalar(target, query.get(wire)!);
        break;
      }
      case "header": {
        const v = headers[wire.toLowerCase()];
        if (v !== undefined) out[name] = target?.type === "list" ? String(v).split(",").map((s) => s.trim()) : scalar(target, String(v));
        break;
      }
      case "headers": {
        const prefix = wire.toLowerCase();
        const map: Record<string, string> = {};
        for (const [k, v] of Object.entries(headers)) if (k.startsWith(prefix) && v !== undefined) map[k.slice(prefix.length)] = String(v);
        if (Object.keys(map).length > 0) out[name] = map;
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** An operation's result on the wire: status, headers from `header` members, the rest as the JSON body. */
export function restOutput(model: AwsModel, operation: string, result: Record<string, unknown>): { status: number; headers: Record<string, string>; body: string } {
  const def = model.operations[operation];
  const shape = def?.output ? model.shapes[def.output] : undefined;
  let status = def?.http?.responseCode ?? 200;
  const headers: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(result)) {
    const ref = shape?.members?.[name];
    if (value === undefined) continue;
    if (ref?.location === "header") headers[(ref.locationName ?? name).toLowerCase()] = String(value);
    else if (ref?.location === "statusCode") status = Number(value);
    else body[name] = value;
  }
  if (shape?.payload) return { status, headers, body: JSON.stringify(result[shape.payload] ?? {}) };
  return { status, headers, body: JSON.stringify(body) };
}
