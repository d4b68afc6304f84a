/**
 * The slice of a botocore model the Query/EC2 protocol code reads at run time: shape types and
 * the wire names (`locationName`, `queryName`, `flattened`). The generator writes one of these per
 * Query API (scripts/generate-validators.mjs `modelOut`), holding only the operations served.
 */

/** A member of a structure, or a list's member / a map's key or value. */
export interface AwsShapeRef {
  shape: string;
  locationName?: string;
  queryName?: string;
  flattened?: boolean;
  /** rest protocols: where the member travels (`uri`, `querystring`, `header`, `headers`, `statusCode`); the body when absent. */
  location?: "uri" | "querystring" | "header" | "headers" | "statusCode";
  /** The client fills it with a fresh token when the caller leaves it out (ClientToken). */
  idempotencyToken?: boolean;
  xmlNamespace?: unknown;
}

/** One botocore shape; only the fields the protocols read are typed. */
export interface AwsShape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "double" | "float" | "boolean" | "timestamp" | "blob";
  members?: Record<string, AwsShapeRef>;
  required?: string[];
  member?: AwsShapeRef;
  key?: AwsShapeRef;
  value?: AwsShapeRef;
  flattened?: boolean;
  locationName?: string;
  enum?: string[];
  /** rest protocols: the member that is the whole body. */
  payload?: string;
  [other: string]: unknown;
}

/** A served model: metadata, each operation's input/output shape names, and the shapes. */
export interface AwsModel {
  metadata: { apiVersion: string; protocol: string; xmlNamespace?: string; serviceId: string; [k: string]: unknown };
  /** rest protocols also carry each operation's `http` route (method, requestUri template, status). */
  operations: Record<string, { input?: string; output?: string; http?: { method: string; requestUri: string; responseCode?: number } }>;
  shapes: Record<string, AwsShape>;
}
