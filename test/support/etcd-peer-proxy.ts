import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { LOOPBACK } from "./ports.js";

// A TCP proxy in front of one etcd member's peer port that knows which member each connection
// comes from, so a test can cut the links between members one by one.
//
// Why this and not a plain proxy per member: etcd members talk both ways over connections each
// side dials (rafthttp: a member reads its peer's messages from a stream it dialled itself and
// posts its own to the peer's pipeline), so cutting only what flows into a member leaves it
// talking through the connections it dials out. Every rafthttp request (stream, pipeline,
// snapshot) carries the sender's member id in `X-Server-From`, and peer traffic here is plain
// HTTP, so the proxy reads the first request's headers of each connection to learn its sender
// before forwarding anything. A link is then cut in both directions by holding the
// connections into the member and the ones it opened towards the others. Probes
// (GET /raft/probing) carry no sender and pass unless the target itself is cut off; they
// carry no raft messages.

/** Decides whether traffic from `from` (a member id in hex, or undefined) to this proxy's member may pass. */
export type LinkPolicy = (from: string | undefined) => boolean;

interface Link {
  client: Socket;
  upstream?: Socket;
  /** The sender's member id (hex), once the first request's headers were read. */
  from?: string;
  /** Bytes read before forwarding began. */
  head: Buffer[];
  state: "reading" | "open" | "held";
}

const HEADER_LIMIT = 16 * 1024;

/** A peer-port proxy whose links the owner cuts and heals through {@link LinkPolicy}. */
export class PeerProxy {
  private readonly links = new Set<Link>();
  private server?: Server;
  /** The port peers dial (the member's advertised peer URL). */
  port = 0;

  constructor(
    /** The member's real peer port, on loopback. */
    private readonly target: number,
    private readonly allowed: LinkPolicy,
  ) {}

  /** Listens on a free loopback port. */
  async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.listen(0, LOOPBACK);
    await once(server, "listening");
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("peer proxy is not on TCP");
    this.server = server;
    this.port = address.port;
  }

  /** Connections now held (cut) and passing. */
  counts(): { held: number; open: number } {
    let held = 0;
    let open = 0;
    for (const l of this.links) {
      if (l.state === "held") held++;
      if (l.state === "open") open++;
    }
    return { held, open };
  }

  /**
   * Applies the policy again to every connection: one now cut stops passing bytes either way
   * (as a dropped link: no reset reaches either side); one held that may pass again is closed,
   * so its sender dials afresh rather than replaying what queued meanwhile.
   */
  reapply(): void {
    for (const l of [...this.links]) {
      if (l.state === "reading") continue;
      const ok = this.allowed(l.from);
      if (l.state === "open" && !ok) this.hold(l);
      else if (l.state === "held" && ok) this.release(l);
    }
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    for (const l of [...this.links]) this.release(l);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const link: Link = { client, head: [], state: "reading" };
    this.links.add(link);
    client.on("error", () => this.release(link));
    client.on("close", () => this.release(link));
    let seen = 0;
    const onData = (chunk: Buffer) => {
      link.head.push(chunk);
      seen += chunk.length;
      const text = Buffer.concat(link.head).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0 && seen < HEADER_LIMIT) return;
      client.off("data", onData);
      client.pause();
      link.from = /\r\nX-Server-From: *([0-9a-f]+)/i.exec(text.slice(0, end < 0 ? undefined : end))?.[1]?.toLowerCase();
      if (this.allowed(link.from)) this.forward(link);
      else link.state = "held";
    };
    client.on("data", onData);
  }

  private forward(link: Link): void {
    const up = createConnection({ host: LOOPBACK, port: this.target });
    up.on("error", () => this.release(link));
    up.on("close", () => this.release(link));
    link.upstream = up;
    link.state = "open";
    for (const b of link.head.splice(0)) up.write(b);
    link.client.pipe(up);
    up.pipe(link.client);
    link.client.resume();
  }

  private hold(link: Link): void {
    link.state = "held";
    link.client.unpipe();
    link.client.pause();
    link.upstream?.unpipe();
    link.upstream?.pause();
  }

  private release(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
  }
}
