import { readFile } from "node:fs/promises";
import type http from "node:http";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheControlOf, contentTypeOf, resolveConsolePath } from "./static-files.js";

/** A route that serves every path under a prefix itself. */
export type PrefixRoute = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => Promise<void>;

/**
 * Where `npm run build` puts the console (controlplane/console's vite build writes into the
 * control plane's dist/, so the node image of `berth cluster create` carries it too). Found
 * from this module in src/ and dist/ alike: both sit three folders below controlplane/.
 */
export const defaultConsoleDir = fileURLToPath(new URL("../../../dist/console/", import.meta.url));

/**
 * `GET /console/...`: the console's built files from `dir`, with their content type, a year's
 * cache for hashed assets and revalidation for index.html, which also answers every page of
 * the app. Paths that would leave `dir` get 404. When the console was never built the answer
 * says so (503) and how to build it. The files hold no data (the app reads everything through
 * the signed APIs), so this route is not signed: a browser cannot sign its own page loads.
 */
export function consoleRoute(dir: string = defaultConsoleDir): PrefixRoute {
  const root = resolve(dir);
  return async (req, res, pathname) => {
    const head = req.method === "HEAD";
    const plain = (status: number, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...extra });
      res.end(head ? undefined : text);
    };
    const target = resolveConsolePath(pathname);
    if (target.kind === "redirect") return plain(308, `see ${target.location}\n`, { location: target.location });
    if (target.kind === "refused") return plain(404, `not found: ${target.reason}\n`);
    const file = join(root, target.rel);
    // The pure check refused every climbing path; this keeps a future change to it honest.
    if (!file.startsWith(root + sep)) return plain(404, "not found\n");
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" && (err as NodeJS.ErrnoException).code !== "EISDIR") throw err;
      if (target.rel === "index.html") {
        return plain(503, `The berth console was not built: ${join(root, "index.html")} is missing. Run \`npm run build\` in berth's checkout, then reload.\n`);
      }
      return plain(404, `not found: ${target.rel}\n`);
    }
    res.writeHead(200, {
      "content-type": contentTypeOf(target.rel),
      "cache-control": cacheControlOf(target.rel),
      "content-length": body.length,
      "x-content-type-options": "nosniff",
      // The app loads only its own files and talks only to this origin.
      "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    });
    res.end(head ? undefined : body);
  };
}
