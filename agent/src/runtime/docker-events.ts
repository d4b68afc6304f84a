import type Docker from "dockerode";
import type { Logger } from "@berth/shared";
import type { RuntimeEvent, RuntimeHealth, RuntimeSubscription } from "./types.js";

interface DockerEventMessage {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** One Docker event line in the runtime-neutral shape, or undefined for lines we do not use. */
export function parseDockerEvent(m: DockerEventMessage): RuntimeEvent | undefined {
  if (m.Type !== "container" || !m.Action) return undefined;
  const id = m.Actor?.ID ?? m.id ?? "";
  const attrs = m.Actor?.Attributes ?? {};
  // Container labels arrive mixed with name/image/exitCode in Attributes; all are kept, the
  // engine reads only its com.amazonaws.ecs.* keys.
  const labels = attrs;
  const atMs = m.timeNano ? Math.floor(m.timeNano / 1e6) : (m.time ?? 0) * 1000;
  if (m.Action === "die") {
    const code = Number(attrs.exitCode);
    return { kind: "die", id, labels, exitCode: Number.isFinite(code) ? code : undefined, atMs };
  }
  if (m.Action === "oom") return { kind: "oom", id, labels, atMs };
  if (m.Action.startsWith("health_status")) {
    const h = m.Action.split(":")[1]?.trim();
    if (h === "healthy" || h === "unhealthy" || h === "starting") return { kind: "health", id, labels, health: h as RuntimeHealth, atMs };
  }
  return undefined;
}

/**
 * Follows `docker events` for containers with `labels`. When the stream ends (daemon restart,
 * socket hiccup) it reconnects with a capped backoff from the last event time seen, so Docker
 * replays the gap, and emits `resync` so the engine re-inspects anyway.
 */
export function subscribeDockerEvents(
  docker: Docker,
  labels: Record<string, string>,
  onEvent: (e: RuntimeEvent) => void,
  logger: Logger,
): RuntimeSubscription {
  let closed = false;
  let abort: AbortController | undefined;
  let lastNano = BigInt(Date.now()) * 1_000_000n;
  let backoffMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;

  const filters = {
    type: ["container"],
    event: ["die", "oom", "health_status"],
    label: Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  };

  const connect = async (resync: boolean): Promise<void> => {
    if (closed) return;
    abort = new AbortController();
    // Docker takes `since` as seconds with an optional nanosecond fraction.
    const since = `${lastNano / 1_000_000_000n}.${String(lastNano % 1_000_000_000n).padStart(9, "0")}`;
    try {
      const stream = (await docker.getEvents({ filters, since, abortSignal: abort.signal } as never)) as unknown as NodeJS.ReadableStream;
      backoffMs = 250;
      if (resync) onEvent({ kind: "resync", atMs: Date.now() });
      let buf = "";
      stream.on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let msg: DockerEventMessage;
          try {
            msg = JSON.parse(line) as DockerEventMessage;
          } catch {
            logger.warn("unparseable docker event", { line });
            continue;
          }
          if (msg.timeNano) lastNano = BigInt(msg.timeNano) + 1n;
          const e = parseDockerEvent(msg);
          if (e) onEvent(e);
        }
      });
      const again = () => scheduleReconnect();
      stream.on("end", again);
      stream.on("error", again);
      stream.on("close", again);
    } catch (err) {
      if (!closed) logger.warn("docker events connect failed", { err, backoffMs });
      scheduleReconnect();
    }
  };

  let reconnecting = false;
  const scheduleReconnect = () => {
    if (closed || reconnecting) return;
    reconnecting = true;
    abort?.abort();
    retryTimer = setTimeout(() => {
      reconnecting = false;
      void connect(true);
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 10_000);
  };

  void connect(false);
  return {
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      abort?.abort();
    },
  };
}
