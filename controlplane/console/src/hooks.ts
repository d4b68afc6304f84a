import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { onChanges } from "./api/live";
import { concerns, type ChangeKind } from "./lib/changes";

/** What a page loaded: its data (kept while a re-fetch runs or fails), the last error, and a reload. */
export interface Resource<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Which change notices make a resource re-fetch. */
export interface LiveSpec {
  kinds: ChangeKind[];
  /** Only these records' notices (a service's page hears only its service). */
  ids?: string[];
}

/**
 * Loads `load()` when `deps` change and again whenever the live feed names a record one of
 * the `live` specs concerns. A re-fetch keeps the shown data until the new answer (no flicker); an
 * older answer arriving after a newer one is dropped, and a change of `deps` drops the answers of
 * loads begun before it.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[], live?: LiveSpec | LiveSpec[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  // The newest load whose answer is shown. An answer is shown unless a newer one already is:
  // under a stream of changes each load still lands, instead of each being overtaken by the next.
  const applied = useRef(0);
  // `load` is a new closure each render; `deps` say when it means something new.
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const data = await load();
      if (mine > applied.current) {
        applied.current = mine;
        setState({ data, loading: false });
      }
    } catch (error) {
      if (mine > applied.current) {
        applied.current = mine;
        setState((s) => ({ data: s.data, error, loading: false }));
      }
    }
  }, deps);
  useEffect(() => {
    // New deps: what was shown is of something else, and none of its loads may land.
    applied.current = seq.current;
    setState({ loading: true });
    void reload();
  }, [reload]);
  // A stable key of the specs, so a new array literal each render does not re-subscribe.
  const specs = JSON.stringify(live === undefined ? [] : Array.isArray(live) ? live : [live]);
  useEffect(() => {
    const parsed = JSON.parse(specs) as { kinds: ChangeKind[]; ids?: string[] }[];
    if (parsed.every((p) => p.kinds.length === 0)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onChanges((batch) => {
      if (!parsed.some((p) => concerns(batch, p.kinds, p.ids))) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [reload, specs]);
  return { ...state, reload };
}

/** The time now, refreshed every `everyMs` (for "5s ago" columns). */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
