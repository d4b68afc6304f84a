/**
 * Go-style durations ("3h", "30s", "1h30m", "500ms"), the spelling the ECS agent's environment
 * variables use, so an operator can copy an ECS_* value over unchanged.
 */

/** A duration as a user may give it: milliseconds, or a Go-style string. */
export type Duration = number | string;

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const term = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Milliseconds in a Go-style duration string, rounded to whole ms; undefined when `text` is not
 * one. As in Go, a bare number is refused except "0", so "30" never silently means 30 ms.
 */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  term.lastIndex = 0;
  while (term.lastIndex < s.length) {
    const at = term.lastIndex;
    const m = term.exec(s);
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * unitMs[m[2]];
  }
  return Math.round(total);
}

/** Milliseconds in a {@link Duration}; undefined when it is neither a finite number nor a Go duration. */
export function durationMs(value: Duration): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  return parseGoDuration(value);
}

/**
 * `ms` the way Go's time.Duration prints it ("1m0s", "2h0m0s", "1.5s", "500ms"), so messages
 * quote a setting in the spelling an ECS operator wrote it in. Whole milliseconds only.
 */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms);
  if (total === 0) return "0s";
  if (total < 0) return `-${formatGoDuration(-total)}`;
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  // Seconds keep their millisecond fraction without trailing zeros, as Go prints them.
  const s = String((total % 60_000) / 1000);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
