import type { ChangeNotice } from "../lib/changes";
import { SseParser } from "../lib/stream-parse";
import { berthGet, readText } from "./client";

/** How the live feed stands: connecting, streaming, or lost (and retrying). */
export type LiveState = "connecting" | "live" | "offline";

type Listener = (notices: ChangeNotice[] | "all") => void;
const listeners = new Set<Listener>();

/** Hears every batch of change notices; `all` after a reconnect (changes may have been missed). */
export function onChanges(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(n: ChangeNotice[] | "all"): void {
  for (const l of listeners) l(n);
}

/**
 * Follows `GET /berth/v1/events/stream?cluster=…` (server-sent events, read with fetch so
 * the request can be signed) and publishes what it names to {@link onChanges}; reconnects
 * with a growing pause when the stream ends. Returns the function that stops it.
 */
export function followChanges(cluster: string, onState: (s: LiveState, detail?: string) => void): () => void {
  const abort = new AbortController();
  let attempt = 0;
  let everLive = false;
  const run = async () => {
    while (!abort.signal.aborted) {
      onState("connecting");
      let detail = "the stream ended";
      try {
        const res = await berthGet("/berth/v1/events/stream", { cluster }, abort.signal);
        const parser = new SseParser();
        await readText(res, (text) => {
          for (const ev of parser.push(text)) {
            if (ev.event === "ready") {
              attempt = 0;
              onState("live");
              // Whatever changed while the stream was down is unknown: everything re-fetches.
              if (everLive) publish("all");
              everLive = true;
            } else if (ev.event === "change") {
              publish((JSON.parse(ev.data) as { changes: ChangeNotice[] }).changes);
            }
          }
        });
      } catch (err) {
        if (abort.signal.aborted) return;
        detail = err instanceof Error ? err.message : String(err);
      }
      if (abort.signal.aborted) return;
      onState("offline", detail);
      await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt++)));
    }
  };
  void run();
  return () => abort.abort();
}
