/**
 * One server-sent event as the EventSource format frames it: an `event:` line, the JSON data on
 * one `data:` line (JSON.stringify never emits a raw newline), and the blank line that ends it.
 */
export function sseFrame(event: string, data: unknown): string {
  if (/[\r\n]/.test(event)) throw new Error(`an event name cannot hold a line break: ${JSON.stringify(event)}`);
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: ignored by readers, it keeps idle proxies and the reader's own timeout from closing the stream. */
export const sseKeepAlive = ": keep-alive\n\n";
