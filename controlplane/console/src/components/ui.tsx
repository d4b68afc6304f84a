import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { ApiError, isAuthError, UnreachableError } from "../api/client";
import { percent } from "../lib/format";
import { sparklinePath } from "../lib/summaries";
import { navigate } from "../nav";
import { SignIn } from "./sign-in";

/** A link inside the console: a real `<a href>` (open in a new tab works) that navigates in place. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; "aria-label"?: string; "aria-current"?: "page" }) {
  const { href, children, ...rest } = props;
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** A status word in a colour of its meaning (the word itself carries it, not the colour alone). */
export function Status({ value }: { value: string | undefined }) {
  const v = value ?? "UNKNOWN";
  const tone = /^(RUNNING|ACTIVE|PRIMARY|COMPLETED|HEALTHY|CONNECTED)$/.test(v)
    ? "good"
    : /^(STOPPED|FAILED|INACTIVE|UNHEALTHY|DISCONNECTED|DRAINING)$/.test(v)
      ? "bad"
      : "mid";
  return <span class={`status status-${tone}`}>{v}</span>;
}

/** A bar of a resource: `used` of `total`, with its words beside it for screen readers and eyes alike. */
export function UsageBar({ label, used, total, format, showRemaining }: { label: string; used: number; total: number; format: (n: number) => string; showRemaining?: boolean }) {
  const pct = percent(used, total);
  const text = `${format(used)} of ${format(total)} (${pct}%)${showRemaining ? `, ${format(Math.max(0, total - used))} remaining` : ""}`;
  return (
    <div class="usage">
      <span class="usage-label">{label}</span>
      <div class="bar" role="meter" aria-label={`${label} reserved`} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used} aria-valuetext={text}>
        <div class={`bar-fill${pct >= 90 ? " bar-high" : ""}`} style={{ width: `${pct}%` }} />
      </div>
      <span class="usage-text">{text}</span>
    </div>
  );
}

/** A rollout's progress bar with its words. */
export function Progress({ label, pct, text }: { label: string; pct: number; text: string }) {
  return (
    <div class="usage">
      <div class="bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={text}>
        <div class="bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <span class="usage-text">{text}</span>
    </div>
  );
}

/** A small line of a metric over time, named in words for those who cannot see it. */
export function Sparkline({ values, ceiling = 0, label, format }: { values: number[]; ceiling?: number; label: string; format: (n: number) => string }) {
  if (values.length === 0) return <span class="muted">no samples</span>;
  const last = values[values.length - 1];
  const words = `${label}: ${format(last)} now, peak ${format(Math.max(...values))} over ${values.length} samples`;
  return (
    <span class="spark">
      <svg width="96" height="24" viewBox="0 0 96 24" role="img" aria-label={words}>
        <path d={sparklinePath(values, 96, 22, ceiling)} transform="translate(0,1)" fill="none" stroke="currentColor" stroke-width="1.5" />
      </svg>
      <span aria-hidden="true">{format(last)}</span>
    </span>
  );
}

/** What went wrong, said plainly: the API unreachable, keys needed, or the API's own error. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  if (isAuthError(error)) return <SignIn reason={(error as ApiError).message} />;
  if (error instanceof UnreachableError) {
    return (
      <div class="notice notice-bad" role="alert">
        <strong>The berth API is unreachable.</strong> {error.message}. What is shown may be out of date; the console tries again as soon as the API answers.
      </div>
    );
  }
  const type = error instanceof ApiError ? `${error.type}: ` : "";
  return (
    <div class="notice notice-bad" role="alert">
      <strong>The API refused:</strong> {type}
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

/**
 * A button whose action waits for a confirmation in a modal dialog (the native `<dialog>`:
 * it traps focus, closes on Escape and gives focus back to the button). The action's error,
 * if any, shows in the dialog.
 */
export function ConfirmButton(props: { label: string; title: string; message: ComponentChildren; confirmLabel?: string; danger?: boolean; disabled?: boolean; onConfirm: () => Promise<unknown> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const id = useRef(`confirm-${Math.random().toString(36).slice(2, 8)}`).current;
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={props.danger ? "danger" : ""} disabled={props.disabled} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`}>
        <h2 id={`${id}-title`}>{props.title}</h2>
        <div id={`${id}-body`}>{props.message}</div>
        <ErrorNotice error={error} />
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" class={props.danger ? "danger" : "primary"} disabled={busy} onClick={() => void confirm()}>
            {busy ? "Working…" : (props.confirmLabel ?? props.label)}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** A definition list of label/value rows. */
export function Facts({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? "-"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "Loading…" while the first answer is out, announced politely. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}
