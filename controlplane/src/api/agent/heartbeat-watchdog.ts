/**
 * A session's heartbeat watchdog: one timer for the moment the agent would be silent too long
 * (`intervalMs × missed`), moved on when heartbeats came, so silence is noticed at the limit at
 * one timer per limit a session (not 2 a second: 10,000/s at 5,000 sessions).
 */
export class HeartbeatWatchdog {
  private last = Date.now();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly missed: number,
  ) {}

  /** The period to tell the agent: its own within ±10 %, so a fleet restarted together does not beat in step. */
  jitteredInterval(): number {
    return Math.round(this.intervalMs * (0.9 + Math.random() * 0.2));
  }

  /** A heartbeat (or the session's open) came now. */
  beat(): void {
    this.last = Date.now();
  }

  /** Starts watching; `onSilent` hears how long the agent had been silent when the limit passed. */
  start(onSilent: (silentMs: number) => void): void {
    this.beat();
    const limit = this.intervalMs * this.missed;
    const arm = () => {
      this.timer = setTimeout(() => {
        if (this.stopped) return;
        const silent = Date.now() - this.last;
        if (silent > limit) onSilent(silent);
        else arm();
      }, Math.max(1, this.last + limit + 1 - Date.now()));
    };
    arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
