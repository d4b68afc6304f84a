import type { ECSClient } from "@aws-sdk/client-ecs";
import type { OpsTarget } from "./client.js";
import { signedGet } from "./signed-request.js";

/** One container's log request to the control plane's `/berth/v1/logs`. */
export interface LogStreamRequest {
  cluster: string;
  task: string;
  container: string;
  follow: boolean;
  /** The `since` parameter as given (unix ms or a duration like 10m); empty for all. */
  since: string;
  tail: number;
}

/** A line of the NDJSON answer, or its closing record. */
export type LogRecord = { time: string; stream: string; text: string } | { end: true; error?: string };

/**
 * Streams one container's log from the control plane, yielding the NDJSON records as they
 * come (read as fast as the caller consumes them, so a slow terminal slows the stream).
 * Signed with SigV4 like the ECS calls, with the ECS client's credentials and region.
 */
export async function* streamLog(target: OpsTarget, ecs: ECSClient, req: LogStreamRequest, signal: AbortSignal): AsyncGenerator<LogRecord> {
  const query: Record<string, string> = { cluster: req.cluster, task: req.task, container: req.container };
  if (req.follow) query.follow = "1";
  if (req.since) query.since = req.since;
  if (req.tail > 0) query.tail = String(req.tail);
  const { url, headers } = await signedGet(target, ecs, "/berth/v1/logs", query);
  const res = await fetch(url, { headers, signal });
  if (!res.ok || !res.body) {
    const body = await res.text();
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not JSON: the text as it came
    }
    throw new Error(`logs of ${req.task}/${req.container}: ${message.trim() || `HTTP ${res.status}`}`);
  }
  let partial = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    partial += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = partial.indexOf("\n")) >= 0) {
      const text = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (!text) continue;
      const record = JSON.parse(text) as LogRecord;
      yield record;
      if ("end" in record) return;
    }
  }
  // A stream cut without its closing record (the control plane went away) says so.
  yield { end: true, error: "the connection to the control plane closed before the log ended" };
}
