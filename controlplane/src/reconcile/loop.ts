import type { Logger } from "@berth/shared";
import { FencedOutError } from "../store/index.js";

/** A running reconcile loop. */
export interface ReconcileLoop {
  /** Asks for a round soon (coalesced with any pending request). */
  poke(): void;
  /** Stops after the round in progress, if any. */
  stop(): Promise<void>;
}

/**
 * Runs `round` at once, then every `intervalMs` and whenever poked, never two rounds at once:
 * pokes during a round make exactly one more round after it. A failing round is logged and the
 * loop goes on; the next round re-reads everything. `round` gets `active()`, false once the
 * loop is stopped (leadership lost): a round checks it before each write so a demoted leader
 * stops acting at the next step instead of finishing its round beside the new leader.
 */
export function startLoop(name: string, intervalMs: number, round: (active: () => boolean) => Promise<void>, log: Logger): ReconcileLoop {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delay: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  };

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = round(() => !stopped)
      .catch((err) => {
        if (err instanceof FencedOutError) log.warn(`${name} round abandoned: leadership was lost mid-write`, { err: err.message });
        else log.error(`${name} round failed`, { err });
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else schedule(intervalMs);
      });
  }

  schedule(0);
  return {
    poke() {
      if (running) again = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
