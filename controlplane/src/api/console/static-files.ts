/** Where the console is served; its built files carry this base in every URL (vite's `base`). */
export const consoleBase = "/console/";

/** What a request path under the console asks for. */
export type ConsolePath =
  /** `/console` alone: the app's relative URLs need the trailing slash. */
  | { kind: "redirect"; location: string }
  /** A file of the build, relative to its folder; `appRoute` when it is a page of the app (served index.html). */
  | { kind: "file"; rel: string; appRoute: boolean }
  /** A path that would leave the build's folder or cannot be a file name. */
  | { kind: "refused"; reason: string };

/**
 * Maps a request path to a file of the console's build, pure. Anything that could climb out of
 * the folder (`..`, `.`, backslashes, NUL, an encoded slash) is refused; a path whose last
 * segment has no extension is one of the app's own routes (`/console/clusters/x/services`),
 * answered with index.html so a reload or a pasted link opens the same page.
 */
export function resolveConsolePath(pathname: string): ConsolePath {
  const base = consoleBase.slice(0, -1);
  if (pathname === base) return { kind: "redirect", location: consoleBase };
  if (!pathname.startsWith(consoleBase)) return { kind: "refused", reason: `not under ${consoleBase}` };
  const raw = pathname.slice(consoleBase.length);
  const segments: string[] = [];
  for (const part of raw.split("/")) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return { kind: "refused", reason: "a malformed %-escape" };
    }
    if (seg === "..") return { kind: "refused", reason: "'..' in the path" };
    if (seg === ".") return { kind: "refused", reason: "'.' in the path" };
    if (/[\\/\0]/.test(seg)) return { kind: "refused", reason: "a slash, backslash or NUL inside a segment" };
    if (seg !== "") segments.push(seg);
  }
  const last = segments[segments.length - 1] ?? "";
  if (segments.length === 0 || !/\.[A-Za-z0-9]+$/.test(last)) return { kind: "file", rel: "index.html", appRoute: segments.length > 0 };
  return { kind: "file", rel: segments.join("/"), appRoute: false };
}

const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  map: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
};

/** The Content-Type of a built file by its extension; unknown ones as bytes, never sniffed as HTML. */
export function contentTypeOf(rel: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(rel)?.[1]?.toLowerCase() ?? "";
  return contentTypes[ext] ?? "application/octet-stream";
}

/**
 * Cache-Control of a built file: vite names everything under `assets/` by its content hash,
 * so those never change and are cached for a year; index.html (and anything else) is
 * revalidated each time, so a rebuilt console is picked up at the next load.
 */
export function cacheControlOf(rel: string): string {
  return rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}
