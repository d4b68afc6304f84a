import { useEffect, useRef, useState } from "preact/hooks";
import { berthGet, readText } from "../api/client";
import { isoTime } from "../lib/format";
import { NdjsonParser } from "../lib/stream-parse";
import { appendBounded } from "../lib/summaries";
import { ErrorNotice } from "./ui";

interface LogLine {
  time?: number;
  stream?: string;
  text?: string;
  end?: boolean;
  error?: string;
}

/** Lines kept on screen: a followed log is bounded, the newest kept. */
const maxLines = 1000;

/**
 * A container's log tail from `GET /berth/v1/logs` (the route `berth logs -f` reads), the last
 * 200 lines and then, while following, every new line as it is written.
 */
export function LogTail({ cluster, task, containers }: { cluster: string; task: string; containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? "");
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<{ ended?: string; error?: unknown }>({});
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (!container) return;
    const abort = new AbortController();
    setLines([]);
    setState({});
    const parser = new NdjsonParser<LogLine>();
    void (async () => {
      try {
        const res = await berthGet("/berth/v1/logs", { cluster, task, container, tail: "200", follow: follow ? "1" : "0" }, abort.signal);
        await readText(res, (text) => {
          const got = parser.push(text);
          const end = got.find((l) => l.end);
          const shown = got.filter((l) => !l.end);
          if (shown.length > 0) setLines((prev) => appendBounded(prev, shown, maxLines));
          if (end) setState({ ended: end.error ? `the log ended: ${end.error}` : "end of log" });
        });
      } catch (error) {
        if (!abort.signal.aborted) setState({ error });
      }
    })();
    return () => abort.abort();
  }, [cluster, task, container, follow]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <section aria-labelledby="logs-title">
      <h2 id="logs-title">Log</h2>
      <div class="toolbar">
        <label>
          Container
          <select name="container" value={container} onChange={(e) => setContainer(e.currentTarget.value)}>
            {containers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="follow" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
        </label>
      </div>
      <ErrorNotice error={state.error} />
      <pre class="log" ref={pre} role="log" aria-label={`Log of container ${container}`} tabIndex={0}>
        {lines.length === 0 && !state.ended && !state.error ? "waiting for lines…" : ""}
        {lines.map((l, i) => (
          <div key={i} class={l.stream === "stderr" ? "stderr" : undefined}>
            <span class="muted">{l.time ? isoTime(l.time) : ""} </span>
            {l.text}
          </div>
        ))}
      </pre>
      {state.ended && <p class="muted small">{state.ended}</p>}
    </section>
  );
}
