/**
 * HAProxy config words. Arguments go in single quotes, inside which HAProxy interprets nothing
 * (no `\` escapes, no `$VAR` expansion, no `#` comments); a single quote itself is closed out and
 * escaped, as in a shell: `'it'\''s'`.
 */
export function quoteArg(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A literal for a log-format string (redirect locations): `%` doubled so it is not a sample. */
export function logFormatLiteral(s: string): string {
  return s.replace(/%/g, "%%");
}

/** Regex-escapes `s` except ELBv2's wildcards, which become `.*` (`*`) and `.` (`?`). */
export function wildcardRegex(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else out += ch.replace(/[.+^${}()|[\]\\/-]/g, (c) => `\\${c}`);
  }
  return out;
}

/** A name safe in HAProxy (proxy, server and ACL names): letters, digits, `_`, `-`, `.`, `:`. */
export function haproxyName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** The server name of a target: `t_` and its id and port (unique within the group). */
export function serverName(t: { id: string; port: number }): string {
  return `t_${haproxyName(t.id)}_${t.port}`;
}

/** The backend of a target group: `tg_` and its name (unique in the region). */
export function backendName(tgName: string): string {
  return `tg_${tgName}`;
}
