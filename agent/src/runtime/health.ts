import type { Logger } from "@berth/shared";

/** What the agent last learned about its container runtime. */
export interface RuntimeHealth {
  unhealthy: boolean;
  error: string;
}

/**
 * Pings the container runtime on a period and remembers the answer, so every heartbeat can say
 * whether the engine is reachable (ECS's CONTAINER_RUNTIME health check). A ping that errors or
 * takes longer than `timeoutMs` counts as unreachable; transitions are logged once each.
 */
export class RuntimeHealthProbe {
  private state: RuntimeHealth = { unhealthy: false, error: "" };
  private timer?: NodeJS.Timeout;
  private inFlight = false;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly opts: { intervalMs: number; timeoutMs: number; log: Logger },
  ) {}

  current(): RuntimeHealth {
    return this.state;
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One ping, at most one at a time; resolves with the state it left. */
  async check(): Promise<RuntimeHealth> {
    if (this.inFlight) return this.state;
    this.inFlight = true;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ping(),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
        }),
      ]);
      this.set({ unhealthy: false, error: "" });
    } catch (err) {
      this.set({ unhealthy: true, error: (err as Error).message || String(err) });
    } finally {
      clearTimeout(timeout);
      this.inFlight = false;
    }
    return this.state;
  }

  private set(next: RuntimeHealth): void {
    if (next.unhealthy !== this.state.unhealthy) {
      if (next.unhealthy) this.opts.log.warn("container runtime unreachable", { error: next.error });
      else this.opts.log.info("container runtime reachable again");
    }
    this.state = next;
  }
}
