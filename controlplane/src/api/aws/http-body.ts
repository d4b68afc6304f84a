import type http from "node:http";
import { RequestEntityTooLargeException, SerializationException } from "@berth/shared";

/**
 * The whole body, refused with 413 once it grows past `max`. Past the cap the rest is drained
 * unread (bounded by the server's request timeout) so the client still gets an answer.
 */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
      else chunks.length = 0;
    });
    req.on("end", () =>
      size > max ? reject(new RequestEntityTooLargeException(`Request body exceeds ${max} bytes`)) : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

/** The query string's parameters, repeated names as lists, as SigV4's canonical query takes them. */
export function queryOf(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of query) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

/** A JSON request body; an empty body is `{}` as the AWS JSON protocols treat it. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw new SerializationException(`Request body is not valid JSON: ${(err as Error).message}`);
  }
}
