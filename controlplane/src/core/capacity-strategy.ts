import { InvalidParameterException } from "@berth/shared";

/**
 * Capacity provider strategies, pure: ECS's rules for a strategy and how it splits tasks
 * across its providers (base first, then weight).
 */

/** One strategy item as stored: base and weight filled in (ECS's defaults are 0). */
export interface StrategyItem {
  capacityProvider: string;
  base: number;
  weight: number;
}

/** A strategy item as a request carries it. */
export interface StrategyItemInput {
  capacityProvider?: string;
  base?: number;
  weight?: number;
}

/** The two capacity providers every account has: tasks on the cluster's Fargate agents. */
export const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;

/** Whether `name` is FARGATE or FARGATE_SPOT. */
export const isFargateProvider = (name: string): boolean => (FARGATE_PROVIDERS as readonly string[]).includes(name);

/** ECS's limit on providers in one strategy. */
export const maxStrategyItems = 20;

/**
 * The strategy with defaults filled in, refused as ECS refuses it (naming `field`): at most 20
 * items, each naming a provider once, weight 0..1000, base 0..100000, a base on one item at
 * most, some weight above 0 when there are several items, and Fargate providers not mixed
 * with EC2 ones.
 */
export function checkStrategy(items: readonly StrategyItemInput[], field = "capacityProviderStrategy"): StrategyItem[] {
  if (items.length > maxStrategyItems) {
    throw new InvalidParameterException(`${field}: A capacity provider strategy can contain a maximum of ${maxStrategyItems} capacity providers.`);
  }
  const seen = new Set<string>();
  const out = items.map((it, i): StrategyItem => {
    const name = it.capacityProvider;
    if (!name) throw new InvalidParameterException(`${field}[${i}].capacityProvider: is required`);
    if (seen.has(name)) throw new InvalidParameterException(`${field}: The capacity provider ${name} is specified more than once in the strategy.`);
    seen.add(name);
    const weight = it.weight ?? 0;
    const base = it.base ?? 0;
    if (!Number.isInteger(weight) || weight < 0 || weight > 1000) throw new InvalidParameterException(`${field}[${i}].weight: must be an integer from 0 to 1000, got ${weight}`);
    if (!Number.isInteger(base) || base < 0 || base > 100_000) throw new InvalidParameterException(`${field}[${i}].base: must be an integer from 0 to 100000, got ${base}`);
    return { capacityProvider: name, base, weight };
  });
  if (out.filter((s) => s.base > 0).length > 1) {
    throw new InvalidParameterException(`${field}: Only one capacity provider in a strategy can have a base defined.`);
  }
  if (out.length > 1 && out.every((s) => s.weight === 0)) {
    throw new InvalidParameterException(`${field}: At least one capacity provider in a strategy must have a weight greater than zero.`);
  }
  const fargate = out.filter((s) => isFargateProvider(s.capacityProvider)).length;
  if (fargate > 0 && fargate < out.length) {
    throw new InvalidParameterException(`${field}: A capacity provider strategy cannot contain both Fargate capacity providers and Auto Scaling group (EC2) capacity providers.`);
  }
  return out;
}

/**
 * How many of `count` new tasks each provider of `strategy` gets, given how many tasks already
 * run on each (`existing`, for a service; empty for RunTask). The target for all of them
 * together gives the provider with a base up to `base` tasks, then divides the rest by weight
 * (largest remainder, ties to the earlier item); new tasks go where the target is furthest
 * from what runs, one at a time, so a service converges on the split as it replaces tasks. A
 * single provider of weight 0 takes everything (there is nowhere else to go). Providers with
 * no tasks are left out of the answer. Expects a strategy that passed {@link checkStrategy}.
 */
export function splitByStrategy(count: number, strategy: readonly StrategyItem[], existing: Readonly<Record<string, number>> = {}): Map<string, number> {
  const out = new Map<string, number>();
  if (count <= 0 || strategy.length === 0) return out;
  const have = strategy.map((s) => existing[s.capacityProvider] ?? 0);
  const total = count + have.reduce((a, b) => a + b, 0);
  const target = targets(total, strategy);
  const deficit = target.map((t, i) => t - have[i]);
  for (let n = 0; n < count; n++) {
    let best = 0;
    for (let i = 1; i < deficit.length; i++) if (deficit[i] > deficit[best]) best = i;
    deficit[best]--;
    const name = strategy[best].capacityProvider;
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

/** The share of `total` tasks each item should hold: base first, the rest by weight. */
function targets(total: number, strategy: readonly StrategyItem[]): number[] {
  const weights = strategy.length === 1 && strategy[0].weight === 0 ? [1] : strategy.map((s) => s.weight);
  const out = strategy.map(() => 0);
  let rest = total;
  const based = strategy.findIndex((s) => s.base > 0);
  if (based >= 0) {
    out[based] = Math.min(strategy[based].base, total);
    rest -= out[based];
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (rest === 0 || sum === 0) return out;
  const exact = weights.map((w) => (rest * w) / sum);
  const floors = exact.map(Math.floor);
  let left = rest - floors.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - floors[i] })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left === 0) break;
    if (weights[i] === 0) continue;
    floors[i]++;
    left--;
  }
  return out.map((v, i) => v + floors[i]);
}
