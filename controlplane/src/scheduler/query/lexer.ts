import { QuerySyntaxError } from "./ast.js";

/** A token of the cluster query language; `pos` is its 0-based offset. */
export type Token =
  | { kind: "word"; text: string; pos: number }
  | { kind: "string"; text: string; pos: number }
  | { kind: "punct"; text: string; pos: number }
  | { kind: "eof"; text: ""; pos: number };

// Longest first so `>=` is not read as `>` then `=`.
const PUNCT = ["==", "!=", ">=", "<=", "=~", "!~", "&&", "||", ">", "<", "!", "(", ")", "[", "]", ","];
const BREAKS = new Set([..."()[],'\"=!<>&|~"]);

/**
 * Splits a query into tokens on demand. Words are runs of anything but blanks and operator
 * characters, so values such as `service:web`, `t2.*` or `2018-06-18T22:28:28+00:00` need no
 * quotes; `pattern()` reads the argument of `=~` more loosely, since regular expressions use
 * the operator characters.
 */
export class Lexer {
  private offset = 0;
  private peeked: Token | undefined;

  constructor(private readonly src: string) {}

  /** The next token, not consumed. */
  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  /** The next token, consumed. */
  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  /**
   * The argument of a match operator: a quoted string, or a run of non-blank characters that
   * stops before a `)` that closes nothing it opened (so `(x =~ t2.*)` works).
   */
  pattern(): Token {
    if (this.peeked) throw new Error("Lexer.pattern called after peek");
    this.skipBlanks();
    const start = this.offset;
    const c = this.src[start];
    if (c === "'" || c === '"') return this.quoted(c);
    let depth = 0;
    let i = start;
    for (; i < this.src.length && !/\s/.test(this.src[i]); i++) {
      const ch = this.src[i];
      if (ch === "\\") {
        i++;
        continue;
      }
      if (ch === "(") depth++;
      if (ch === ")" && depth-- === 0) break;
    }
    if (i === start) throw new QuerySyntaxError("expected a pattern", start);
    this.offset = i;
    return { kind: "word", text: this.src.slice(start, i), pos: start };
  }

  private read(): Token {
    this.skipBlanks();
    const start = this.offset;
    if (start >= this.src.length) return { kind: "eof", text: "", pos: start };
    const c = this.src[start];
    if (c === "'" || c === '"') return this.quoted(c);
    const punct = PUNCT.find((p) => this.src.startsWith(p, start));
    if (punct) {
      this.offset += punct.length;
      return { kind: "punct", text: punct, pos: start };
    }
    let i = start;
    while (i < this.src.length && !/\s/.test(this.src[i]) && !BREAKS.has(this.src[i])) i++;
    if (i === start) throw new QuerySyntaxError(`unexpected character '${c}'`, start);
    this.offset = i;
    return { kind: "word", text: this.src.slice(start, i), pos: start };
  }

  private quoted(q: string): Token {
    const start = this.offset;
    let text = "";
    for (let i = start + 1; i < this.src.length; i++) {
      const ch = this.src[i];
      // Only the quote and the backslash are escaped: `\.` in a quoted regular expression stays.
      if (ch === "\\" && (this.src[i + 1] === q || this.src[i + 1] === "\\")) {
        text += this.src[++i];
      } else if (ch === q) {
        this.offset = i + 1;
        return { kind: "string", text, pos: start };
      } else {
        text += ch;
      }
    }
    throw new QuerySyntaxError("unterminated string", start);
  }

  private skipBlanks(): void {
    while (this.offset < this.src.length && /\s/.test(this.src[this.offset])) this.offset++;
  }
}
