import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The console is served by the control plane at /console/ from controlplane/dist/console, so
// `berth up` and the node image of `berth cluster create` (which copies controlplane/dist)
// carry it with nothing else to install. Everything is bundled: no CDN, no external URL.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
});
