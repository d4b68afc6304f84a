import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { keepAlive } from "@berth/controlplane";

// Real sockets on loopback: the point is how ws's ping/pong behaves, which a fake would assume.
describe("keepAlive", () => {
  let wss: WebSocketServer | undefined;
  afterEach(() => wss?.close());

  async function serve(intervalMs: number): Promise<{ url: string; closed: Promise<number> }> {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    const closed = new Promise<number>((resolve) => {
      wss!.on("connection", (ws) => {
        const started = Date.now();
        keepAlive(ws, intervalMs);
        ws.on("close", () => resolve(Date.now() - started));
      });
    });
    return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, closed };
  }

  it("keeps a client that answers pings", async () => {
    const { url, closed } = await serve(40);
    const client = new WebSocket(url);
    await once(client, "open");
    let pings = 0;
    client.on("ping", () => pings++);
    await new Promise((r) => setTimeout(r, 300));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
    await closed;
  });

  it("terminates a client that stopped answering", async () => {
    const { url, closed } = await serve(40);
    const client = new WebSocket(url, { autoPong: false });
    await once(client, "open");
    // The first ping goes unanswered, the next tick terminates: about two intervals.
    const after = await closed;
    expect(after).toBeGreaterThanOrEqual(70);
    expect(after).toBeLessThan(2_000);
    client.terminate();
  });
});
