import type { WebSocket } from "ws";

/** How often the control plane pings an exec client; two missed pongs end the session. */
export const execPingIntervalMs = 15_000;

/**
 * Pings `ws` every `intervalMs` and terminates it when the previous ping had no pong. Why: an
 * idle interactive exec crosses proxies and NATs that drop quiet connections, and a client that
 * vanished without a FIN (a laptop put to sleep) would otherwise keep its exec and the agent's
 * stream open forever; terminating fires `close`, which cancels the exec. Every WebSocket client
 * answers pings by itself (RFC 6455), so a live client costs nothing. Returns a stop function.
 */
export function keepAlive(ws: WebSocket, intervalMs: number = execPingIntervalMs): () => void {
  let answered = true;
  const onPong = () => {
    answered = true;
  };
  ws.on("pong", onPong);
  const timer = setInterval(() => {
    if (!answered) {
      ws.terminate();
      return;
    }
    answered = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    ws.off("pong", onPong);
  };
  ws.once("close", stop);
  return stop;
}
