import { describe, expect, it } from "vitest";
import { cacheControlOf, contentTypeOf, resolveConsolePath, type ConsolePath } from "./static-files.js";

describe("resolveConsolePath", () => {
  it.each<[string, ConsolePath]>([
    // the bare base gets its slash, so relative URLs resolve under it
    ["/console", { kind: "redirect", location: "/console/" }],
    // the base itself is the app
    ["/console/", { kind: "file", rel: "index.html", appRoute: false }],
    // a hashed asset is that file
    ["/console/assets/index-Ab12.js", { kind: "file", rel: "assets/index-Ab12.js", appRoute: false }],
    // a page of the app (no extension) is index.html
    ["/console/clusters/default/services", { kind: "file", rel: "index.html", appRoute: true }],
    // a service named with a dot-free name still is a page
    ["/console/clusters/default/services/web", { kind: "file", rel: "index.html", appRoute: true }],
    // doubled slashes collapse
    ["/console//assets//a.css", { kind: "file", rel: "assets/a.css", appRoute: false }],
    // climbing out is refused, plain
    ["/console/../package.json", { kind: "refused", reason: "'..' in the path" }],
    // and %-encoded
    ["/console/%2e%2e/%2e%2e/etc/passwd", { kind: "refused", reason: "'..' in the path" }],
    // an encoded slash cannot smuggle a segment
    ["/console/assets%2f..%2f..%2fsecret.js", { kind: "refused", reason: "a slash, backslash or NUL inside a segment" }],
    // a backslash either
    ["/console/..%5c..%5cwin.ini", { kind: "refused", reason: "a slash, backslash or NUL inside a segment" }],
    // NUL bytes are refused
    ["/console/index.html%00.js", { kind: "refused", reason: "a slash, backslash or NUL inside a segment" }],
    // a malformed escape is refused, not thrown
    ["/console/%E0%A4%A", { kind: "refused", reason: "a malformed %-escape" }],
    // a single dot segment is refused too
    ["/console/./index.html", { kind: "refused", reason: "'.' in the path" }],
    // paths elsewhere are not the console's
    ["/consoles/x.js", { kind: "refused", reason: "not under /console/" }],
  ])("%s", (path, want) => expect(resolveConsolePath(path)).toEqual(want));
});

describe("contentTypeOf and cacheControlOf", () => {
  it.each([
    // the page: HTML, revalidated
    ["index.html", "text/html; charset=utf-8", "no-cache"],
    // hashed script: cached for good
    ["assets/index-Ab12.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"],
    // hashed style
    ["assets/index-Cd34.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"],
    // an icon beside index.html: revalidated
    ["favicon.svg", "image/svg+xml", "no-cache"],
    // upper-case extension
    ["assets/LOGO.PNG", "image/png", "public, max-age=31536000, immutable"],
    // unknown extension: bytes, never sniffed
    ["notes.xyz", "application/octet-stream", "no-cache"],
  ])("%s -> %s, %s", (rel, type, cache) => {
    expect(contentTypeOf(rel)).toBe(type);
    expect(cacheControlOf(rel)).toBe(cache);
  });
});
