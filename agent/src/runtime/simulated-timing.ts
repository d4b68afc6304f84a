/**
 * The fleet simulator's timing model: how long a simulated engine takes to pull, create and
 * start a container, and how long the container then runs before it exits on its own. Each is a
 * distribution drawn from a seeded generator, so a run can be replayed (nomad seeds its shuffle
 * the same way). Pure: no clock, no `Math.random`.
 */
import type { SimulatedOp } from "./simulated.js";

/** One distribution of milliseconds. `never` (exit only): the container runs until stopped. */
export type Distribution =
  | { kind: "fixed"; ms: number }
  | { kind: "uniform"; minMs: number; maxMs: number }
  | { kind: "normal"; meanMs: number; sdMs: number }
  | { kind: "lognormal"; medianMs: number; sigma: number }
  | { kind: "exponential"; meanMs: number }
  | { kind: "never" };

/** The model: one distribution per modelled step; other runtime calls take no time. */
export interface TimingModel {
  pull: Distribution;
  create: Distribution;
  start: Distribution;
  /** Time from start to the container's own exit. */
  exit: Distribution;
  /** The exit code of a container that exits on its own. */
  exitCode: number;
}

/** A default fit for a busy but healthy host: tens of ms per engine call, containers that stay up. */
export const defaultTimingModel: TimingModel = {
  pull: { kind: "lognormal", medianMs: 200, sigma: 0.5 },
  create: { kind: "lognormal", medianMs: 30, sigma: 0.4 },
  start: { kind: "lognormal", medianMs: 60, sigma: 0.4 },
  exit: { kind: "never" },
  exitCode: 0,
};

const num = (s: string, what: string): number => {
  const n = Number(s);
  if (s.trim() === "" || !Number.isFinite(n) || n < 0) throw new Error(`${what}: "${s}" is not a non-negative number`);
  return n;
};

/**
 * Parses a distribution as the bench's flags spell it: `50` or `fixed:50`, `uniform:10-50`,
 * `normal:100,20` (mean, sd), `lognormal:100,0.5` (median, sigma), `exp:200` (mean), `never`.
 * Errors name `field` and the accepted forms.
 */
export function parseDistribution(text: string, field = "distribution"): Distribution {
  const t = text.trim();
  const [kind, rest = ""] = t.includes(":") ? [t.slice(0, t.indexOf(":")), t.slice(t.indexOf(":") + 1)] : [/^[\d.]+$/.test(t) ? "fixed" : t, t];
  const parts = (sep: string, n: number) => {
    const p = rest.split(sep);
    if (p.length !== n) throw new Error(`${field}: "${text}" needs ${n} values separated by "${sep}"`);
    return p.map((x) => num(x, field));
  };
  switch (kind) {
    case "fixed":
      return { kind: "fixed", ms: num(rest, field) };
    case "uniform": {
      const [minMs, maxMs] = parts("-", 2);
      if (maxMs < minMs) throw new Error(`${field}: "${text}" has its maximum below its minimum`);
      return { kind: "uniform", minMs, maxMs };
    }
    case "normal": {
      const [meanMs, sdMs] = parts(",", 2);
      return { kind: "normal", meanMs, sdMs };
    }
    case "lognormal": {
      const [medianMs, sigma] = parts(",", 2);
      if (medianMs <= 0) throw new Error(`${field}: "${text}" needs a median above 0`);
      return { kind: "lognormal", medianMs, sigma };
    }
    case "exp":
      return { kind: "exponential", meanMs: num(rest, field) };
    case "never":
      return { kind: "never" };
    default:
      throw new Error(`${field}: "${text}" is not one of N, fixed:N, uniform:A-B, normal:MEAN,SD, lognormal:MEDIAN,SIGMA, exp:MEAN, never`);
  }
}

/** mulberry32: a small, fast, seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller) from two uniforms. */
function gaussian(rand: () => number): number {
  const u = 1 - rand(); // (0, 1]: log(0) is -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** One draw in whole milliseconds, never negative; undefined for `never`. */
export function drawMs(d: Distribution, rand: () => number): number | undefined {
  let ms: number;
  switch (d.kind) {
    case "fixed": ms = d.ms; break;
    case "uniform": ms = d.minMs + (d.maxMs - d.minMs) * rand(); break;
    case "normal": ms = d.meanMs + d.sdMs * gaussian(rand); break;
    case "lognormal": ms = d.medianMs * Math.exp(d.sigma * gaussian(rand)); break;
    case "exponential": ms = -d.meanMs * Math.log(1 - rand()); break;
    case "never": return undefined;
  }
  return Math.max(0, Math.round(ms));
}

/** What a SimulatedRuntime takes from a model: a delay per call and a run time per container. */
export interface TimingDraws {
  /** For `SimulatedRuntimeOptions.delayMs`: the modelled steps draw, other calls take 0 ms. */
  delayMs(op: SimulatedOp): number;
  /** For `SimulatedRuntimeOptions.behavior`: when the container exits on its own, if it does. */
  exit(): { exitAfterMs?: number; exitCode?: number };
}

/** Draws from `model` with a generator seeded by `seed` (one per simulated host). */
export function timingDraws(model: TimingModel, seed: number): TimingDraws {
  const rand = seededRandom(seed);
  const byOp: Partial<Record<SimulatedOp, Distribution>> = { pull: model.pull, create: model.create, start: model.start };
  return {
    delayMs: (op) => {
      const d = byOp[op];
      return d ? (drawMs(d, rand) ?? 0) : 0;
    },
    exit: () => {
      const ms = drawMs(model.exit, rand);
      return ms === undefined ? {} : { exitAfterMs: ms, exitCode: model.exitCode };
    },
  };
}
