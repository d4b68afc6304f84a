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
 * Loads `load()` when `deps` change and again whenever the live feed names a record of
 * `live`'s kinds. A re-fetch keeps the shown data until the new answer (no flicker); an
 * older answer arriving after a newer one is dropped.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[], live?: LiveSpec): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  // `load` is a new closure each render; `deps` say when it means something new.
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const data = await load();
      if (mine === seq.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    setState({ loading: true });
    void reload();
  }, [reload]);
  const kinds = live?.kinds.join(",") ?? "";
  const ids = live?.ids?.join(",");
  useEffect(() => {
    if (!kinds) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onChanges((batch) => {
      if (!concerns(batch, kinds.split(",") as ChangeKind[], ids?.split(","))) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [reload, kinds, ids]);
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
