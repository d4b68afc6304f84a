import Table from "cli-table3";

/** Median of the samples (mean of the middle two for an even count); NaN when there are none. */
export function median(samples: number[]): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-th percentile (0–100) by nearest rank; NaN when there are no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Seconds with two decimals, or "—" when the measurement failed. */
export function secs(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? "—" : (ms / 1000).toFixed(2);
}

/** `a / b` as "2.41x", or "—" when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "—";
  return `${(a / b).toFixed(2)}x`;
}

/** Prints a titled table; rows are already formatted strings. */
export function printTable(title: string, head: string[], rows: string[][], notes: string[] = []): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows);
  const text = [`\n${title}`, table.toString(), ...notes.map((n) => `  ${n}`), ""].join("\n");
  process.stdout.write(text + "\n");
}

/** A progress line for a wait: rewritten in place on a terminal, else printed at most every 5 s. */
export interface Progress {
  update(text: string): void;
  done(text: string): void;
}

/** Starts a progress line labelled `label`; elapsed seconds are added to every update. */
export function progress(label: string): Progress {
  const out = process.stderr;
  const started = Date.now();
  const tty = out.isTTY === true;
  let lastPrinted = 0;
  const line = (text: string) => `  ${label}: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`;
  return {
    update(text) {
      if (tty) {
        out.write(`\r\x1b[2K${line(text)}`);
      } else if (Date.now() - lastPrinted >= 5_000) {
        lastPrinted = Date.now();
        out.write(line(text) + "\n");
      }
    },
    done(text) {
      out.write(`${tty ? "\r\x1b[2K" : ""}${line(text)}\n`);
    },
  };
}

/**
 * Polls `probe` every `everyMs` until it returns true, reporting its text on `p`; throws after
 * `timeoutMs`. Returns the elapsed milliseconds since `since` when the condition held.
 */
export async function waitFor(
  p: Progress,
  since: number,
  probe: () => Promise<{ ok: boolean; text: string }>,
  timeoutMs: number,
  everyMs = 200,
): Promise<number> {
  const deadline = since + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const r = await probe();
      last = r.text;
      if (r.ok) {
        const elapsed = Date.now() - since;
        p.done(r.text);
        return elapsed;
      }
      p.update(r.text);
    } catch (err) {
      last = `probe failed: ${(err as Error).message}`;
      p.update(last);
    }
    if (Date.now() > deadline) {
      p.done(`timed out; last: ${last}`);
      throw new Error(`timed out after ${timeoutMs} ms; last: ${last}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
