/**
 * A timestamp member as the AWS protocols deliver it, in ms: epoch seconds (JSON, CBOR; also as
 * numeric text), or ISO 8601 text (Query, and the JSON services take it too). `invalid` builds
 * the API's error, naming the member.
 */
export function timestampMs(member: string, v: unknown, invalid: (message: string) => Error): number {
  const ms = typeof v === "number" ? v * 1000 : typeof v === "string" ? (/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v)) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`${member}: ${String(v)} is not a timestamp`);
  return ms;
}

/** {@link timestampMs} of an optional member: undefined when it is absent. */
export function optionalTimestampMs(member: string, v: unknown, invalid: (message: string) => Error): number | undefined {
  return v === undefined || v === null ? undefined : timestampMs(member, v, invalid);
}
