import { InvalidParameterException } from "@berth/shared";

/**
 * CloudWatch Logs filter patterns for unstructured events, without I/O: terms separated by
 * spaces must all occur (case-sensitive), a quoted term is one phrase (`"lost connection"`),
 * `-term` must not occur, and `?term`s are alternatives of which one must occur. An empty
 * pattern matches every event. JSON (`{ $.level = … }`), space-delimited (`[ip, …]`) and regex
 * (`%…%`) patterns are refused by name rather than matched wrongly.
 */
export interface FilterPattern {
  required: string[];
  excluded: string[];
  anyOf: string[];
}

/** Parses a pattern; an unsupported or unbalanced one is InvalidParameterException. */
export function parseFilterPattern(pattern: string | undefined): FilterPattern {
  const out: FilterPattern = { required: [], excluded: [], anyOf: [] };
  const text = (pattern ?? "").trim();
  if (text.startsWith("{") || text.startsWith("[") || text.startsWith("%")) {
    throw new InvalidParameterException(`filterPattern: JSON, space-delimited and regex patterns are not supported by berth; use plain terms (got '${text}')`);
  }
  let i = 0;
  while (i < text.length) {
    if (text[i] === " ") {
      i++;
      continue;
    }
    let kind: keyof FilterPattern = "required";
    if (text[i] === "-" || text[i] === "?") {
      kind = text[i] === "-" ? "excluded" : "anyOf";
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new InvalidParameterException(`filterPattern: unbalanced quote in '${text}'`);
      term = text.slice(i + 1, close);
      i = close + 1;
    } else {
      const end = text.indexOf(" ", i);
      term = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    if (term.length > 0) out[kind].push(term);
  }
  return out;
}

/** Whether one event's message matches a parsed pattern. */
export function matchesFilterPattern(p: FilterPattern, message: string): boolean {
  if (!p.required.every((t) => message.includes(t))) return false;
  if (p.excluded.some((t) => message.includes(t))) return false;
  return p.anyOf.length === 0 || p.anyOf.some((t) => message.includes(t));
}
