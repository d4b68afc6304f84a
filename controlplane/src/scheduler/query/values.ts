/**
 * How the query language compares values: numbers as numbers, agent versions part by part,
 * registration times as instants, and anything else as strings.
 */

const NUMBER = /^-?\d+(\.\d+)?$/;
const DATE_FORMS = [
  /^\d{4}-\d{2}-\d{2}$/,
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/,
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/,
];

/**
 * Milliseconds since the epoch for the date forms ECS accepts for `registeredAt`, or undefined.
 * A time without a zone is read as UTC, never the host's zone, so the answer is the same anywhere.
 */
export function parseQueryTime(text: string): number | undefined {
  if (!DATE_FORMS.some((re) => re.test(text))) return undefined;
  const iso = /T\d{2}:\d{2}:\d{2}$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Sign of a-b comparing numerically when both are numbers, else by UTF-16 code units. */
export function compareLoose(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sign of a-b for dotted versions (`1.18.0` < `1.9.10` is false): numeric parts compare as numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(/[.-]/);
  const pb = b.replace(/^v/, "").split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const c = compareLoose(pa[i] ?? "0", pb[i] ?? "0");
    if (c !== 0) return c;
  }
  return 0;
}
